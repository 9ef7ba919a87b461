package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;

/**
 * Scaled dot-product attention written out step by step as in the paper: scores {@code q·kᵀ·scale},
 * masked softmax, weighted sum of v. It materializes the Tq×Tk probabilities, so it costs O(T²)
 * memory; registered as {@code eager} (Hugging Face's name) as the readable oracle of {@code sdpa}.
 */
public final class EagerAttention implements AttentionProvider {
  /** The registry name. */
  public static final String NAME = "eager";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Tensor attend(
      Ops ops, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale) {
    return attend(ops, q, k, v, mask, causal, scale, 0f, 0L);
  }

  @Override
  public Tensor attend(
      Ops ops, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale,
      float dropout, long seed) {
    return composed(ops, q, k, v, mask, causal, scale, dropout, seed);
  }

  /**
   * The step-by-step attention, with {@code dropout} (when > 0) on the probabilities before the
   * weighted sum, as BERT and GPT-2 apply it in training.
   */
  static Tensor composed(
      Ops ops, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale,
      float dropout, long seed) {
    Tensor scores = ops.scale(ops.matmul(q, k, false, true), scale);
    Tensor p = ops.softmax(scores, mask, causal);
    if (dropout > 0f) {
      p = ops.dropout(p, dropout, seed);
    }
    return ops.matmul(p, v);
  }
}
