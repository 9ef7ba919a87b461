package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;

/**
 * Scaled dot-product attention (Vaswani et al. 2017, §3.2.1), {@code softmax(q·kᵀ/√d_k + mask)·v},
 * through the backend's fused kernel ({@link Ops#attention}); on the CPU backend a tiled
 * online-softmax kernel that never materializes the Tq×Tk scores. Registered as {@code sdpa}, the
 * default.
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
}
