package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;

/**
 * The fixed positional encoding of "Attention Is All You Need" (Vaswani et al. 2017, §3.5):
 * {@code PE(pos, 2i) = sin(pos / 10000^(2i/C))}, {@code PE(pos, 2i+1) = cos(pos / 10000^(2i/C))}.
 * No parameters; the table (maxLength, C) is computed once.
 */
public final class SinusoidalPositionalEncoding extends AbstractModule {
  private final Tensor table;
  private final int maxLength;

  /** A table for positions 0..maxLength−1 of even width C. */
  public SinusoidalPositionalEncoding(Ops ops, int maxLength, int width) {
    super(ops);
    if (width % 2 != 0) {
      throw new IllegalArgumentException("sinusoidal encoding needs an even width, got " + width);
    }
    this.maxLength = maxLength;
    this.table = ops.tensor(table(maxLength, width), maxLength, width);
  }

  /** The table entries as the paper defines them, computed in double precision. */
  public static float[] table(int maxLength, int width) {
    float[] t = new float[maxLength * width];
    for (int pos = 0; pos < maxLength; pos++) {
      for (int i = 0; i < width / 2; i++) {
        double angle = pos / Math.pow(10000.0, 2.0 * i / width);
        t[pos * width + 2 * i] = (float) Math.sin(angle);
        t[pos * width + 2 * i + 1] = (float) Math.cos(angle);
      }
    }
    return t;
  }

  /** Encodings at {@code positions} (...) I32 → (..., C). */
  public Tensor forward(Tensor positions) {
    return ops.embedding(table, positions);
  }

  /** The largest position plus one. */
  public int maxLength() {
    return maxLength;
  }
}
