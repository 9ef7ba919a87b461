package io.github.transformers4j.models.t5;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.KvCache;
import io.github.transformers4j.models.layers.RelativePositionBias;
import io.github.transformers4j.models.layers.RmsNorm;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * T5's encoder or decoder: the blocks ({@code block.N}), one relative position bias for the whole
 * stack (stored in block 0's self-attention, {@code
 * block.0.layer.0.SelfAttention.relative_attention_bias}, and added to every block's scores), the
 * final RMS norm ({@code final_layer_norm}) and dropout around the stack.
 */
final class T5Stack extends AbstractModule {
  private final List<T5Block> blocks = new ArrayList<>();
  private final RelativePositionBias positionBias;
  private final RmsNorm finalNorm;
  private final Dropout drop;
  private final boolean decoder;

  T5Stack(Ops ops, T5Config c, boolean decoder, AttentionProvider attention, SplittableRandom rng) {
    super(ops);
    this.decoder = decoder;
    int n = decoder ? c.numDecoderLayers() : c.numLayers();
    for (int i = 0; i < n; i++) {
      blocks.add(child("block." + i, new T5Block(ops, c, decoder, attention, rng)));
    }
    this.positionBias =
        child(
            "block.0.layer.0.SelfAttention.relative_attention_bias",
            new RelativePositionBias(
                ops,
                c.relativeAttentionNumBuckets(),
                c.relativeAttentionMaxDistance(),
                c.numHeads(),
                !decoder,
                rng,
                c.initializerFactor() / Math.sqrt(c.dModel())));
    this.finalNorm = child("final_layer_norm", new RmsNorm(ops, c.dModel(), c.layerNormEpsilon()));
    this.drop = child("dropout", new Dropout(ops, c.dropoutRate()));
  }

  /** The number of blocks. */
  int size() {
    return blocks.size();
  }

  /**
   * The position bias (R, nh, Tq, Tk) for query and key positions (R·Tq, R·Tk); computed once per
   * forward and shared by all blocks.
   */
  Tensor bias(int[] queryPositions, int[] keyPositions, int rows) {
    return positionBias.forward(queryPositions, keyPositions, rows);
  }

  /**
   * The stack over embedded tokens.
   *
   * @param x (B, T, C) token embeddings
   * @param bias (R, nh, T, Tk) from {@link #bias}
   * @param mask additive padding mask over the self-attention keys (B, 1, 1, Tk), or null
   * @param memory the encoder output (B, S, C) for the decoder, else null
   * @param memoryMask additive padding mask over the source, or null
   * @param cache the decoder's caches, extended by this call, or null
   * @return (B, T, C)
   */
  Tensor forward(
      Tensor x, Tensor bias, Tensor mask, Tensor memory, Tensor memoryMask, KvCache cache) {
    x = drop.forward(x);
    Tape tape = ops.tape();
    if (mask != null && (tape == null || !tape.isTracked(bias))) {
      // Nothing differentiates the bias: add the padding mask to it once for all blocks, rather
      // than in every block's attention.
      bias = ops.add(bias, mask); // (R, nh, T, Tk) + (B, 1, 1, Tk) -> (B, nh, T, Tk)
      mask = null;
    }
    for (int i = 0; i < blocks.size(); i++) {
      x =
          blocks
              .get(i)
              .forward(
                  x,
                  bias,
                  mask,
                  decoder,
                  memory,
                  memoryMask,
                  cache == null ? null : cache.self(i),
                  cache == null ? null : cache.cross(i));
    }
    return drop.forward(finalNorm.forward(x));
  }
}
