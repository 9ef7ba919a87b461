package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Linear;
import java.util.SplittableRandom;

/**
 * The ELECTRA discriminator (Clark et al. 2020): for every token, one score that it was replaced
 * by the generator, {@code dense_prediction(act(dense(h)))} → (B, T); a positive score means
 * "replaced". Names {@code electra.*}, {@code discriminator_predictions.dense}, {@code
 * discriminator_predictions.dense_prediction}.
 */
public final class ElectraForPreTraining extends EncoderWithHead {
  /** The Hugging Face class name, {@code architectures[0]} of its folders. */
  public static final String HF_NAME = "ElectraForPreTraining";

  private final Linear dense;
  private final Linear prediction;

  /** A fresh model. */
  public ElectraForPreTraining(Ops ops, BertConfig c) {
    super(ops, c, false, null);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x646973L);
    int w = c.hiddenSize();
    this.dense =
        child(
            "discriminator_predictions.dense",
            new Linear(ops, w, w, Linear.Layout.OUT_IN, true, rng, c.initializerRange()));
    this.prediction =
        child(
            "discriminator_predictions.dense_prediction",
            new Linear(ops, w, 1, Linear.Layout.OUT_IN, true, rng, c.initializerRange()));
  }

  /**
   * Replaced-token scores (B, T), logits of a sigmoid.
   *
   * @param ids (B·T) row-major ids
   * @param attentionMask (B·T) 1 for a token, 0 for padding; null when nothing is padded
   */
  public Tensor logits(int[] ids, int[] attentionMask, int batch) {
    Tensor h = encoder.hidden(ids, null, attentionMask, batch);
    Tensor s = prediction.forward(ops.activation(config().hiddenAct(), dense.forward(h)));
    return ops.reshape(s, batch, ids.length / batch); // (B, T, 1) -> (B, T)
  }
}
