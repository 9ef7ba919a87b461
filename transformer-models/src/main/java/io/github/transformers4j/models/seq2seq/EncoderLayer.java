package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.FeedForward;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.MultiHeadAttention;
import io.github.transformers4j.models.layers.RotaryEmbedding;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * An encoder block: bidirectional self-attention, then the feed-forward network, each inside a
 * residual connection with LayerNorm. Names {@code self_attn}, {@code self_attn_layer_norm}, {@code
 * fc1}, {@code fc2}, {@code final_layer_norm}.
 */
final class EncoderLayer extends AbstractModule {
  private final EncoderDecoderConfig c;
  private final MultiHeadAttention selfAttn;
  private final LayerNorm selfAttnNorm;
  private final FeedForward ffn;
  private final LayerNorm finalNorm;
  private final Dropout drop;

  EncoderLayer(
      Ops ops, EncoderDecoderConfig c, AttentionProvider a, RotaryEmbedding rope, SplittableRandom rng) {
    super(ops);
    this.c = c;
    this.selfAttn =
        child(
            "self_attn",
            new MultiHeadAttention(
                ops, c.dModel(), c.heads(), MultiHeadAttention.Names.BART, a, rope,
                c.attentionDropout(), rng, c.initStd()));
    this.selfAttnNorm = child("self_attn_layer_norm", new LayerNorm(ops, c.dModel(), c.layerNormEps()));
    this.ffn =
        inline(
            new FeedForward(
                ops, c.dModel(), c.ffnDim(), c.activation(), FeedForward.Names.BART, rng, c.initStd(),
                c.initStd()));
    this.finalNorm = child("final_layer_norm", new LayerNorm(ops, c.dModel(), c.layerNormEps()));
    this.drop = child("dropout", new Dropout(ops, c.dropout()));
  }

  /** {@code x} (B, S, C) → (B, S, C); {@code mask} additive (B, 1, 1, S) or null. */
  Tensor forward(Tensor x, Tensor mask, Tensor positions) {
    x = Sublayer.residual(ops, c.norm(), selfAttnNorm, drop, x, y -> selfAttn.self(y, mask, false, positions, null));
    return Sublayer.residual(ops, c.norm(), finalNorm, drop, x, ffn::forward);
  }
}
