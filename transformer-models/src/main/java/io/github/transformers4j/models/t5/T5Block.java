package io.github.transformers4j.models.t5;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.AttentionCache;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.FeedForward;
import io.github.transformers4j.models.layers.MultiHeadAttention;
import io.github.transformers4j.models.layers.RmsNorm;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * One T5 block, pre-norm with RMS norms and no biases: self-attention ({@code layer.0}), in the
 * decoder cross-attention over the encoder output ({@code layer.1}), then the feed-forward network
 * ({@code layer.1} in the encoder, {@code layer.2} in the decoder), each as {@code x +
 * drop(f(norm(x)))}. Attention scores are not scaled by 1/√hs; the stack's relative position bias
 * is added to the self-attention scores of every block.
 */
final class T5Block extends AbstractModule {
  /** T5's projection names. */
  static final MultiHeadAttention.Names NAMES = new MultiHeadAttention.Names("q", "k", "v", "o");

  private final RmsNorm selfNorm;
  private final MultiHeadAttention selfAttention;
  private final RmsNorm crossNorm;
  private final MultiHeadAttention crossAttention;
  private final RmsNorm ffNorm;
  private final FeedForward feedForward;
  private final Dropout drop;

  T5Block(Ops ops, T5Config c, boolean decoder, AttentionProvider attention, SplittableRandom rng) {
    super(ops);
    double f = c.initializerFactor();
    double std = f / Math.sqrt(c.dModel());
    this.selfNorm = child("layer.0.layer_norm", new RmsNorm(ops, c.dModel(), c.layerNormEpsilon()));
    this.selfAttention = child("layer.0.SelfAttention", attention(ops, c, attention, rng, std));
    if (decoder) {
      this.crossNorm =
          child("layer.1.layer_norm", new RmsNorm(ops, c.dModel(), c.layerNormEpsilon()));
      this.crossAttention =
          child("layer.1.EncDecAttention", attention(ops, c, attention, rng, std));
    } else {
      this.crossNorm = null;
      this.crossAttention = null;
    }
    String ff = decoder ? "layer.2" : "layer.1";
    this.ffNorm = child(ff + ".layer_norm", new RmsNorm(ops, c.dModel(), c.layerNormEpsilon()));
    this.feedForward =
        child(
            ff + ".DenseReluDense",
            new FeedForward(
                ops,
                c.dModel(),
                c.dFf(),
                c.activation(),
                c.gatedActivation() ? FeedForward.Names.T5_GATED : FeedForward.Names.T5,
                c.gatedActivation() ? "wi_1" : null,
                false,
                c.dropoutRate(),
                rng,
                std,
                f / Math.sqrt(c.dFf())));
    this.drop = child("dropout", new Dropout(ops, c.dropoutRate()));
  }

  private static MultiHeadAttention attention(
      Ops ops, T5Config c, AttentionProvider attention, SplittableRandom rng, double std) {
    // No 1/√hs: T5 folds it into the initialization of the query weights.
    return new MultiHeadAttention(
        ops,
        c.dModel(),
        c.numHeads(),
        c.dKv(),
        false,
        1f,
        NAMES,
        attention,
        null,
        c.dropoutRate(),
        rng,
        std);
  }

  /**
   * One block.
   *
   * @param x (B, T, C)
   * @param bias the stack's position bias (R, nh, T, Tk), Tk counting cached positions
   * @param mask additive padding mask over the self-attention keys (B, 1, 1, Tk), or null
   * @param causal whether a position sees only itself and earlier ones (decoder)
   * @param memory the encoder output (B, S, C) in the decoder, else null (unused once cached)
   * @param memoryMask additive padding mask over the source (B, 1, 1, S), or null
   * @param selfCache this block's self-attention cache, or null
   * @param crossCache this block's cross-attention cache, or null
   * @return (B, T, C)
   */
  Tensor forward(
      Tensor x,
      Tensor bias,
      Tensor mask,
      boolean causal,
      Tensor memory,
      Tensor memoryMask,
      AttentionCache selfCache,
      AttentionCache crossCache) {
    Tensor a = selfAttention.self(selfNorm.forward(x), mask, bias, causal, null, selfCache);
    x = ops.add(x, drop.forward(a));
    if (crossAttention != null) {
      Tensor c = crossAttention.cross(crossNorm.forward(x), memory, memoryMask, crossCache);
      x = ops.add(x, drop.forward(c));
    }
    return ops.add(x, drop.forward(feedForward.forward(ffNorm.forward(x))));
  }
}
