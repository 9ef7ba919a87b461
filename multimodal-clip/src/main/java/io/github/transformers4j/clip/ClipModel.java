package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.weights.Weights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * CLIP (Radford et al. 2021): a text tower and an image tower, each followed by a linear
 * projection without bias into one P-wide space, and a learned temperature {@code logit_scale}, so
 * that {@code logits = exp(logit_scale)·cos(image, text)}. Parameter names are Hugging Face's
 * {@code CLIPModel} names: {@code text_model.*}, {@code vision_model.*}, {@code
 * text_projection.weight} (P, C_text), {@code visual_projection.weight} (P, C_vision) and the scalar
 * {@code logit_scale}.
 *
 * <pre>{@code
 * ClipModel clip = ClipModel.load(ops, Path.of("clip-vit-base-patch32"));
 * Tensor img = ClipModel.normalize(ops, clip.encodeImage(ops, pixels)); // (B, P)
 * Tensor txt = ClipModel.normalize(ops, clip.encodeText(ops, ids));     // (B', P)
 * }</pre>
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
 */
public final class ClipModel extends AbstractModule implements PretrainedModel {
  /** The registry name, Hugging Face's {@code model_type}. */
  public static final String ARCHITECTURE = ClipConfig.MODEL_TYPE;

  private final ClipConfig config;
  private final ClipTextTransformer textModel;
  private final ClipVisionTransformer visionModel;
  private final Linear visualProjection;
  private final Linear textProjection;
  private final Parameter logitScale;

  /** A model with weights initialized from {@code config.seed()}, attention from the registry. */
  public ClipModel(Ops ops, ClipConfig config) {
    this(ops, config, Plugins.attentions().forName(config.attnImplementation()));
  }

  /**
   * A model with an explicit attention variant, initialized as Hugging Face's {@code
   * CLIPPreTrainedModel._init_weights} (seeded): projections N(0, (C^-½·f)²), {@code logit_scale}
   * = {@code logit_scale_init_value}.
   */
  public ClipModel(Ops ops, ClipConfig config, AttentionProvider attention) {
    super(ops);
    this.config = config;
    SplittableRandom rng = new SplittableRandom(config.seed());
    double f = config.initializerFactor();
    int p = config.projectionDim();
    int ct = config.text().hiddenSize();
    int cv = config.vision().hiddenSize();
    this.textModel =
        child("text_model", new ClipTextTransformer(ops, config.text(), attention, rng.split()));
    this.visionModel =
        child(
            "vision_model",
            new ClipVisionTransformer(ops, config.vision(), attention, rng.split()));
    this.visualProjection =
        child(
            "visual_projection",
            new Linear(ops, cv, p, Linear.Layout.OUT_IN, false, rng, Math.pow(cv, -0.5) * f));
    this.textProjection =
        child(
            "text_projection",
            new Linear(ops, ct, p, Linear.Layout.OUT_IN, false, rng, Math.pow(ct, -0.5) * f));
    this.logitScale = constant("logit_scale", (float) config.logitScaleInit());
  }

  /**
   * The model in a Hugging Face {@code CLIPModel} folder ({@code config.json} with {@code
   * model_type} {@code clip}, {@code model.safetensors}).
   *
   * @throws IOException naming the folder or file that is missing or malformed
   * @throws IllegalArgumentException naming the configuration field or the tensors that do not fit
   */
  public static ClipModel load(Ops ops, Path dir) throws IOException {
    return Pretrained.load(ops, dir, ClipModel.class);
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }

  /** The configuration. */
  public ClipConfig config() {
    return config;
  }

  /** The text tower. */
  public ClipTextTransformer textModel() {
    return textModel;
  }

  /** The image tower. */
  public ClipVisionTransformer visionModel() {
    return visionModel;
  }

  /** The learned log inverse temperature, a scalar (not clamped here; training clamps it). */
  public Tensor logitScale() {
    return logitScale.get();
  }

  /**
   * Projected text features, not normalized.
   *
   * @param ops the ops this model was built on (where the tape records)
   * @param ids (B, T) I32 token ids, each row holding its end-of-text id
   * @return (B, P)
   */
  public Tensor encodeText(Ops ops, Tensor ids) {
    return encodeText(ops, ids, null);
  }

  /**
   * Projected text features of padded rows, not normalized.
   *
   * @param mask (B, T) I32, 1 for tokens and 0 for padding, or null
   * @return (B, P)
   */
  public Tensor encodeText(Ops ops, Tensor ids, Tensor mask) {
    sameOps(ops, "encodeText");
    return textProjection.forward(textModel.pooled(ids, mask)); // (B, C) -> (B, P)
  }

  /**
   * Projected image features, not normalized.
   *
   * @param pixels (B, C, H, W) F32, rescaled and normalized as the image processor does
   * @return (B, P)
   */
  public Tensor encodeImage(Ops ops, Tensor pixels) {
    sameOps(ops, "encodeImage");
    return visualProjection.forward(visionModel.pooled(pixels)); // (B, D) -> (B, P)
  }

  /**
   * Hugging Face's {@code logits_per_image}: {@code exp(logit_scale)·normalize(image)·
   * normalize(text)ᵀ}, unclamped.
   *
   * @param imageFeatures (Bi, P) from {@link #encodeImage}
   * @param textFeatures (Bt, P) from {@link #encodeText}
   * @return (Bi, Bt)
   */
  public Tensor logitsPerImage(Tensor imageFeatures, Tensor textFeatures) {
    Tensor cos = ops.matmul(normalize(ops, imageFeatures), normalize(ops, textFeatures), false, true);
    return ops.mul(cos, ops.exp(logitScale.get()));
  }

  /**
   * Each row of {@code x} (..., P) divided by its Euclidean norm (no epsilon, as Hugging Face's
   * {@code CLIPModel}: an all-zero row gives NaN rather than a silently wrong direction).
   */
  public static Tensor normalize(Ops ops, Tensor x) {
    int last = x.rank() - 1;
    return ops.div(x, ops.sqrt(ops.sum(ops.square(x), last, true)));
  }

  private void sameOps(Ops given, String what) {
    if (given != ops) {
      throw new IllegalArgumentException(
          "ClipModel." + what + ": the model was built on another Ops (backend '"
              + ops.backend().name() + "'); pass the Ops it was built on, where the tape records");
    }
  }

  /**
   * Loads a {@code CLIPModel} checkpoint by name; old checkpoints' {@code position_ids} buffers
   * are skipped.
   *
   * @throws IllegalArgumentException naming every missing, unexpected or wrongly shaped tensor
   */
  @Override
  public void load(Weights weights) {
    WeightLoader.load(ops, this, weights, "", n -> n.endsWith("position_ids"));
  }
}
