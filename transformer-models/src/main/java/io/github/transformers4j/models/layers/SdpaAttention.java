package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;

/**
 * Scaled dot-product attention (Vaswani et al. 2017, §3.2.1), {@code softmax(q·kᵀ/√d_k + mask)·v},
 * through the backend's fused kernel ({@link Ops#attention}); on the CPU backend a tiled
 * online-softmax kernel that never materializes the Tq×Tk scores. Registered as {@code sdpa}, the
 * default. With dropout on the probabilities (training) the fused kernel does not apply: the
 * attention is then composed step by step, as {@code eager} does it.
 */
public final class SdpaAttention implements AttentionProvider {
  /** The registry name. */
  public static final String NAME = "sdpa";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Tensor attend(
      Ops ops, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale) {
    return ops.attention(q, k, v, mask, causal, scale);
  }

  @Override
  public Tensor attend(
      Ops ops, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale,
      float dropout, long seed) {
    return dropout > 0f
        ? EagerAttention.composed(ops, q, k, v, mask, causal, scale, dropout, seed)
        : ops.attention(q, k, v, mask, causal, scale);
  }
}
