package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.QuantizedWeight;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;
import io.github.transformers4j.models.nn.WeightPrecision;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A lookup table of learned vectors, {@code weight} (V, C): token embeddings, and learned absolute
 * position embeddings (GPT-2's {@code wpe}, BERT's {@code position_embeddings}), which are the same
 * concept indexed by position instead of token id.
 *
 * <p>A token table tied to the output projection can be held in reduced precision ({@link
 * #quantizeAsOutputProjection}): one int8 scale per token row is exactly the per-output-channel
 * scale of the projection, so the lookup and the logits share one table.
 */
public final class Embedding extends AbstractModule {
  private final Parameter weight;
  private QuantizedWeight quantized;

  /** A (count, width) table from N(0, std²). */
  public Embedding(Ops ops, int count, int width, SplittableRandom rng, double std) {
    super(ops);
    this.weight = normal("weight", rng, std, count, width);
  }

  /** Rows at {@code ids} (...) I32 → (..., C). */
  public Tensor forward(Tensor ids) {
    if (quantized == null) {
      return ops.embedding(weight.get(), ids);
    }
    // Rows of the reduced table, dequantized on the host: a lookup reads C values per token.
    int[] at = ids.toIntArray();
    int c = quantized.in();
    float[] rows = new float[at.length * c];
    for (int i = 0; i < at.length; i++) {
      if (at[i] < 0 || at[i] >= quantized.out()) {
        throw new IllegalArgumentException(
            "embedding: id " + at[i] + " at position " + i + " is outside the vocabulary [0, " + quantized.out() + ")");
      }
      quantized.dequantizeOutputChannel(at[i], rows, i * c);
    }
    int[] dims = new int[ids.rank() + 1];
    for (int d = 0; d < ids.rank(); d++) {
      dims[d] = ids.shape().dim(d);
    }
    dims[ids.rank()] = c;
    return ops.tensor(rows, dims);
  }

  /**
   * Replaces the fp32 table (V, C) by its {@code precision} form as the weight of the tied output
   * projection {@code h·Eᵀ} (input C, output V), and closes the fp32 table. Lookups then
   * dequantize the rows they read.
   */
  public void quantizeAsOutputProjection(WeightPrecision precision) {
    if (precision == WeightPrecision.F32) {
      return;
    }
    if (quantized != null) {
      throw new IllegalStateException("embedding table (" + count() + ", " + width() + ") is already quantized");
    }
    Tensor w = weight.get();
    quantized = QuantizedWeight.quantize(precision.format(), w.toFloatArray(), width(), count(), true);
    w.close();
  }

  @Override
  protected List<QuantizedWeight> quantizedWeights() {
    return quantized == null ? List.of() : List.of(quantized);
  }

  /** The reduced-precision table as an output projection (input C, output V), or null. */
  public QuantizedWeight quantized() {
    return quantized;
  }

  /** The table (V, C), e.g. to tie an output projection to it. */
  public Tensor weight() {
    if (quantized != null) {
      throw new IllegalStateException(
          "embedding table (" + count() + ", " + width() + ") is held in " + quantized.format().label()
              + "; use quantized()");
    }
    return weight.get();
  }

  /** Number of rows (V). */
  public int count() {
    return weight.shape().dim(0);
  }

  /** Width of a row (C). */
  public int width() {
    return weight.shape().dim(1);
  }
}
