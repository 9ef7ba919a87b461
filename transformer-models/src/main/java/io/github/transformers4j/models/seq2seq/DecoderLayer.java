package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.AttentionCache;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.FeedForward;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.MultiHeadAttention;
import io.github.transformers4j.models.layers.RotaryEmbedding;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * A decoder block (§3.1): masked self-attention (a position sees only earlier ones), then
 * cross-attention over the encoder output, then the feed-forward network, each inside a residual
 * connection with LayerNorm. Names {@code self_attn}, {@code self_attn_layer_norm}, {@code
 * encoder_attn}, {@code encoder_attn_layer_norm}, {@code fc1}, {@code fc2}, {@code
 * final_layer_norm}.
 */
final class DecoderLayer extends AbstractModule {
  private final EncoderDecoderConfig c;
  private final MultiHeadAttention selfAttn;
  private final LayerNorm selfAttnNorm;
  private final MultiHeadAttention encoderAttn;
  private final LayerNorm encoderAttnNorm;
  private final FeedForward ffn;
  private final LayerNorm finalNorm;
  private final Dropout drop;

  DecoderLayer(
      Ops ops, EncoderDecoderConfig c, AttentionProvider a, RotaryEmbedding rope, SplittableRandom rng) {
    super(ops);
    this.c = c;
    MultiHeadAttention.Names n = MultiHeadAttention.Names.BART;
    this.selfAttn =
        child(
            "self_attn",
            new MultiHeadAttention(
                ops, c.dModel(), c.heads(), n, a, rope, c.attentionDropout(), rng, c.initStd()));
    this.selfAttnNorm = child("self_attn_layer_norm", new LayerNorm(ops, c.dModel(), c.layerNormEps()));
    this.encoderAttn =
        child(
            "encoder_attn",
            new MultiHeadAttention(
                ops, c.dModel(), c.heads(), n, a, null, c.attentionDropout(), rng, c.initStd()));
    this.encoderAttnNorm =
        child("encoder_attn_layer_norm", new LayerNorm(ops, c.dModel(), c.layerNormEps()));
    this.ffn =
        inline(
            new FeedForward(
                ops, c.dModel(), c.ffnDim(), c.activation(), FeedForward.Names.BART, rng, c.initStd(),
                c.initStd()));
    this.finalNorm = child("final_layer_norm", new LayerNorm(ops, c.dModel(), c.layerNormEps()));
    this.drop = child("dropout", new Dropout(ops, c.dropout()));
  }

  /**
   * {@code x} (B, T, C) → (B, T, C).
   *
   * @param selfMask additive padding mask over decoder keys (B, 1, 1, Tk), or null
   * @param memory the encoder output (B, S, C); unused once {@code crossCache} is filled
   * @param memoryMask additive padding mask over encoder positions (B, 1, 1, S), or null
   */
  Tensor forward(
      Tensor x,
      Tensor selfMask,
      Tensor positions,
      Tensor memory,
      Tensor memoryMask,
      AttentionCache selfCache,
      AttentionCache crossCache) {
    x = Sublayer.residual(ops, c.norm(), selfAttnNorm, drop, x,
        y -> selfAttn.self(y, selfMask, true, positions, selfCache));
    x = Sublayer.residual(ops, c.norm(), encoderAttnNorm, drop, x,
        y -> encoderAttn.cross(y, memory, memoryMask, crossCache));
    return Sublayer.residual(ops, c.norm(), finalNorm, drop, x, ffn::forward);
  }
}
