package io.github.transformers4j.models.opt;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.AttentionCache;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.FeedForward;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.MultiHeadAttention;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * One OPT block. Pre-LN: {@code x = x + attn(self_attn_layer_norm(x))}, then {@code x = x +
 * fc2(act(fc1(final_layer_norm(x))))}; post-LN (OPT-350m): the same norms after each residual sum.
 * Names {@code self_attn.q_proj|k_proj|v_proj|out_proj}, {@code self_attn_layer_norm}, {@code fc1},
 * {@code fc2}, {@code final_layer_norm}.
 */
final class OptDecoderLayer extends AbstractModule {
  private final boolean preNorm;
  private final MultiHeadAttention selfAttn;
  private final LayerNorm selfAttnLayerNorm;
  private final FeedForward ffn;
  private final LayerNorm finalLayerNorm;
  private final Dropout dropout;

  OptDecoderLayer(Ops ops, OptConfig c, AttentionProvider attention, SplittableRandom rng) {
    super(ops);
    int w = c.hiddenSize();
    double std = c.initStd();
    this.preNorm = c.doLayerNormBefore();
    this.selfAttn =
        child(
            "self_attn",
            new MultiHeadAttention(
                ops, w, c.numAttentionHeads(), MultiHeadAttention.Names.BART, attention, null,
                c.attentionDropout(), rng, std));
    this.selfAttnLayerNorm = child("self_attn_layer_norm", new LayerNorm(ops, w, OptConfig.LAYER_NORM_EPS));
    this.ffn =
        inline(new FeedForward(ops, w, c.ffnDim(), c.activation(), FeedForward.Names.BART, rng, std, std));
    this.finalLayerNorm = child("final_layer_norm", new LayerNorm(ops, w, OptConfig.LAYER_NORM_EPS));
    this.dropout = child("dropout", new Dropout(ops, c.dropout()));
  }

  /**
   * {@code x} (B, T, C) → (B, T, C), causal.
   *
   * @param mask additive padding mask broadcastable to (B, nh, T, Tk), Tk = cached + T, or null
   * @param cache the layer's cache, extended by this call, or null
   */
  Tensor forward(Tensor x, Tensor mask, AttentionCache cache) {
    Tensor a = preNorm ? selfAttnLayerNorm.forward(x) : x;
    x = ops.add(x, dropout.forward(selfAttn.self(a, mask, true, null, cache)));
    if (!preNorm) {
      x = selfAttnLayerNorm.forward(x);
    }
    Tensor f = preNorm ? finalLayerNorm.forward(x) : x;
    x = ops.add(x, dropout.forward(ffn.forward(f)));
    return preNorm ? x : finalLayerNorm.forward(x);
  }
}
