package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;

/**
 * The fixed positional encoding of "Attention Is All You Need" (Vaswani et al. 2017, §3.5):
 * {@code PE(pos, 2i) = sin(pos / 10000^(2i/C))}, {@code PE(pos, 2i+1) = cos(pos / 10000^(2i/C))}.
 * No parameters; the table (maxLength, C) is computed once. Pegasus and Marian (Hugging Face)
 * hold the same values with the channels regrouped, all sines first: {@code PE(pos, i)} and
 * {@code PE(pos, C/2 + i)} (the half layout); their checkpoints may store the table, which {@link
 * #replace} then installs.
 */
public final class SinusoidalPositionalEncoding extends AbstractModule {
  private Tensor table;
  private final int maxLength;
  private final int width;

  /** A table for positions 0..maxLength−1 of even width C, interleaved as in the paper. */
  public SinusoidalPositionalEncoding(Ops ops, int maxLength, int width) {
    this(ops, maxLength, width, false);
  }

  /**
   * A table for positions 0..maxLength−1 of even width C; {@code half}: sines in channels
   * 0..C/2−1, cosines in C/2..C−1.
   */
  public SinusoidalPositionalEncoding(Ops ops, int maxLength, int width, boolean half) {
    super(ops);
    if (width % 2 != 0) {
      throw new IllegalArgumentException("sinusoidal encoding needs an even width, got " + width);
    }
    this.maxLength = maxLength;
    this.width = width;
    float[] values = half ? halfTable(maxLength, width) : table(maxLength, width);
    this.table = ops.tensor(values, maxLength, width);
  }

  /** The same angles as {@link #table}, sines in the first half of the channels. */
  static float[] halfTable(int maxLength, int width) {
    float[] t = new float[maxLength * width];
    int h = width / 2;
    for (int pos = 0; pos < maxLength; pos++) {
      for (int i = 0; i < h; i++) {
        double angle = pos / Math.pow(10000.0, 2.0 * i / width);
        t[pos * width + i] = (float) Math.sin(angle);
        t[pos * width + h + i] = (float) Math.cos(angle);
      }
    }
    return t;
  }

  /**
   * Uses {@code values} (maxLength, C), row-major, as the table: a checkpoint's stored copy.
   *
   * @throws IllegalArgumentException when the length is not maxLength·C
   */
  public void replace(float[] values) {
    if (values.length != maxLength * width) {
      throw new IllegalArgumentException(
          "sinusoid table: expected (" + maxLength + ", " + width + ") = " + maxLength * width
              + " values, got " + values.length);
    }
    Tensor old = table;
    table = ops.tensor(values, maxLength, width);
    old.close();
  }

  /** The table (maxLength, C). */
  public Tensor table() {
    return table;
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
