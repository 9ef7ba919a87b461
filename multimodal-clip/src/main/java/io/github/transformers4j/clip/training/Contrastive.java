package io.github.transformers4j.clip.training;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.clip.ClipModel;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.objectives.Trainable;

/**
 * CLIP's contrastive objective (Radford et al. 2021, Figure 3): over a batch of B paired images
 * and texts, the (B, B) logits {@code exp(s)·cos(image_i, text_j)} are scored by cross-entropy
 * towards the diagonal along rows (each image picks its text) and along columns (each text picks
 * its image), and the loss is the mean of the two.
 *
 * <p>The temperature: {@code s} is the model's {@code logit_scale}, used as {@code min(s,
 * ln maxScale)} (ln 100 by default), so that exp(s) never exceeds 100. Its gradient is that of a
 * clamp: 1 where {@code s ≤ ln maxScale}, 0 above, so a scale that reached the cap stops receiving
 * updates from the loss (only weight decay, if any, moves it back) rather than being rewritten.
 * OpenAI's and OpenCLIP's training clamp the parameter itself after each step instead; both keep
 * the scale used in the forward at most 100.
 *
 * <p>{@code correct} counts images whose highest logit is their own text (image → text top-1).
 */
public final class Contrastive implements Objective {
  /** The registered name. */
  public static final String NAME = "contrastive";

  /** The largest {@code exp(logit_scale)} CLIP trains with. */
  public static final double DEFAULT_MAX_SCALE = 100.0;

  private final float maxLogitScale;

  /** The objective with exp(logit_scale) capped at {@code maxScale} (> 1). */
  public Contrastive(double maxScale) {
    if (!(maxScale > 1) || Double.isInfinite(maxScale)) {
      throw new IllegalArgumentException(
          "contrastive: max_scale must be a finite number > 1, got " + maxScale);
    }
    this.maxLogitScale = (float) Math.log(maxScale);
  }

  /** The objective with CLIP's cap of 100. */
  public Contrastive() {
    this(DEFAULT_MAX_SCALE);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** ln of the cap on exp(logit_scale). */
  public float maxLogitScale() {
    return maxLogitScale;
  }

  @Override
  public Loss loss(Ops ops, Trainable model, Batch batch, Forward pass) {
    ClipTrainable clip = Objective.require(NAME, model, ClipTrainable.class);
    ClipTrainable.Features f = clip.features(ops, batch, pass);
    Tensor logits = logits(ops, f.image(), f.text(), clip.model().logitScale(), maxLogitScale);
    Tensor loss = symmetricCrossEntropy(ops, logits);
    return new Loss(loss, logits.shape().dim(0), imageToTextHits(logits));
  }

  /**
   * The (B, B) logits per image: {@code exp(min(s, maxLogitScale))·normalize(image)·
   * normalize(text)ᵀ}.
   *
   * @param image (B, P) projected image features
   * @param text (B, P) projected text features, row i paired with image row i
   * @param logitScale the scalar s
   */
  public static Tensor logits(
      Ops ops, Tensor image, Tensor text, Tensor logitScale, float maxLogitScale) {
    if (!image.shape().equals(text.shape()) || image.rank() != 2) {
      throw new IllegalArgumentException(
          "contrastive: image features " + image.shape() + " and text features " + text.shape()
              + " must both be (B, P)");
    }
    // The clamp as its value and gradient: s itself (gradient 1) up to the cap, a constant above.
    Tensor s = logitScale.item() <= maxLogitScale ? logitScale : ops.scalar(maxLogitScale);
    Tensor cos =
        ops.matmul(ClipModel.normalize(ops, image), ClipModel.normalize(ops, text), false, true);
    return ops.mul(cos, ops.exp(s)); // (B, B)
  }

  /** (CE(rows → diagonal) + CE(columns → diagonal)) / 2 of square logits (B, B). */
  public static Tensor symmetricCrossEntropy(Ops ops, Tensor logits) {
    int b = logits.shape().dim(0);
    int[] diagonal = new int[b];
    for (int i = 0; i < b; i++) {
      diagonal[i] = i;
    }
    Tensor targets = ops.ids(diagonal, b);
    Tensor perImage = ops.crossEntropy(logits, targets);
    Tensor perText = ops.crossEntropy(ops.transpose(logits, 0, 1), targets);
    return ops.scale(ops.add(perImage, perText), 0.5f);
  }

  /** Rows of (B, B) logits whose largest entry is on the diagonal. */
  static long imageToTextHits(Tensor logits) {
    float[] l = logits.toFloatArray();
    int b = logits.shape().dim(0);
    long ok = 0;
    for (int i = 0; i < b; i++) {
      int best = 0;
      for (int j = 1; j < b; j++) {
        if (l[i * b + j] > l[i * b + best]) {
          best = j;
        }
      }
      if (best == i) {
        ok++;
      }
    }
    return ok;
  }
}
