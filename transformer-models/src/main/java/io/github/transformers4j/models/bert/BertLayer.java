package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.FeedForward;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.MultiHeadAttention;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * One BERT block, post-LN as in the original Transformer: {@code x = LN(x + attention(x))}, then
 * {@code x = LN(x + FFN(x))}. Checkpoint names {@code attention.self.query|key|value}, {@code
 * attention.output.dense}, {@code attention.output.LayerNorm}, {@code intermediate.dense}, {@code
 * output.dense}, {@code output.LayerNorm}.
 */
final class BertLayer extends AbstractModule {
  private final MultiHeadAttention attention;
  private final LayerNorm attentionNorm;
  private final FeedForward ffn;
  private final LayerNorm outputNorm;
  private final Dropout dropout;

  BertLayer(Ops ops, BertConfig c, AttentionProvider attn, SplittableRandom rng) {
    super(ops);
    double std = c.initializerRange();
    int w = c.hiddenSize();
    this.attention =
        child(
            "attention",
            new MultiHeadAttention(
                ops, w, c.numAttentionHeads(), MultiHeadAttention.Names.BERT, attn, null,
                c.attentionProbsDropoutProb(), rng, std));
    this.attentionNorm = child("attention.output.LayerNorm", new LayerNorm(ops, w, c.layerNormEps()));
    this.ffn =
        inline(
            new FeedForward(
                ops, w, c.intermediateSize(), c.hiddenAct(), FeedForward.Names.BERT, rng, std, std));
    this.outputNorm = child("output.LayerNorm", new LayerNorm(ops, w, c.layerNormEps()));
    this.dropout = child("dropout", new Dropout(ops, c.hiddenDropoutProb()));
  }

  /** {@code x} (B, T, C) → (B, T, C); {@code mask} additive (B, 1, 1, T) or null. */
  Tensor forward(Tensor x, Tensor mask) {
    x = attentionNorm.forward(ops.add(x, dropout.forward(attention.self(x, mask, false, null, null))));
    return outputNorm.forward(ops.add(x, dropout.forward(ffn.forward(x))));
  }
}
