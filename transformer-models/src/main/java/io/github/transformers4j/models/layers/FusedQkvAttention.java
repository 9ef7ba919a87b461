package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * Causal multi-head self-attention with one fused query-key-value projection, GPT-2's arrangement:
 * {@code c_attn} (C → 3C) then the heads, then {@code c_proj} (C → C), both {@code Conv1D} (weights
 * stored (in, out)).
 */
public final class FusedQkvAttention extends AbstractModule {
  private final int heads;
  private final int width;
  private final float scale;
  private final Linear cAttn;
  private final Linear cProj;
  private final AttentionProvider attention;
  private final Dropout probsDropout;

  /**
   * Attention over width C with {@code heads} heads; {@code c_proj} is initialized with {@code
   * projStd} (GPT-2 scales it by 1/√(2·layers)); {@code dropout} acts on the attention
   * probabilities in training ({@code attn_pdrop}).
   */
  public FusedQkvAttention(
      Ops ops,
      int width,
      int heads,
      AttentionProvider attention,
      float dropout,
      SplittableRandom rng,
      double std,
      double projStd) {
    super(ops);
    if (width % heads != 0) {
      throw new IllegalArgumentException(
          "attention width " + width + " must be divisible by heads " + heads);
    }
    this.heads = heads;
    this.width = width;
    this.scale = (float) (1.0 / Math.sqrt(width / heads));
    this.cAttn = child("c_attn", new Linear(ops, width, 3 * width, Linear.Layout.IN_OUT, true, rng, std));
    this.cProj = child("c_proj", new Linear(ops, width, width, Linear.Layout.IN_OUT, true, rng, projStd));
    this.attention = attention;
    this.probsDropout = child("attn_dropout", new Dropout(ops, dropout));
  }

  /**
   * {@code x} (B, T, C) → (B, T, C); position t sees positions ≤ t, cached ones included.
   *
   * @param mask additive padding mask broadcastable to (B, nh, T, Tk), or null
   * @param cache the layer's cache, extended by this call, or null
   */
  public Tensor forward(Tensor x, Tensor mask, AttentionCache cache) {
    int b = x.shape().dim(0);
    int t = x.shape().dim(1);
    int hs = width / heads;
    // (B, T, 3C) → (B, T, 3, nh, hs) → (3, B, nh, T, hs): one copy, then q, k, v are slices.
    Tensor qkv = ops.permute(ops.reshape(cAttn.forward(x), b, t, 3, heads, hs), 2, 0, 3, 1, 4);
    Tensor q = ops.reshape(ops.slice(qkv, 0, 0, 1), b, heads, t, hs);
    Tensor k = ops.reshape(ops.slice(qkv, 0, 1, 2), b, heads, t, hs);
    Tensor v = ops.reshape(ops.slice(qkv, 0, 2, 3), b, heads, t, hs);
    if (cache != null) {
      cache.append(ops, k, v);
      k = cache.keys();
      v = cache.values();
    }
    float p = probsDropout.activeProbability();
    Tensor a =
        p == 0f
            ? attention.attend(ops, q, k, v, mask, true, scale)
            : attention.attend(ops, q, k, v, mask, true, scale, p, probsDropout.nextSeed());
    return cProj.forward(Heads.merge(ops, a));
  }
}
