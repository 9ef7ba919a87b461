package io.github.transformers4j.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * A linear layer's weight held in reduced precision for inference: int8 with one symmetric scale
 * per output channel, or bf16. It is a host-side value, like a checkpoint tensor, not a
 * {@link Tensor}: backends read it in place ({@link ComputeBackend#quantizedLinear}), and those
 * without a kernel for it dequantize it.
 *
 * <p>Whatever the source layout ({@code (out, in)} as PyTorch's {@code nn.Linear}, or {@code (in,
 * out)} as GPT-2's {@code Conv1D}), the values are stored as {@code (in, out)} = (K, N), row-major:
 * every CPU path reads it contiguously along N (the decode loop accumulating one weight row into
 * each output row, and the conversion into the SGEMM's packed column strips), so one layout is
 * enough and the transpose is paid once, at quantization.
 *
 * <ul>
 *   <li>{@link Format#INT8}: {@code w[p][j] ≈ q[p][j] · scale[j]}, {@code q} in [−127, 127],
 *       {@code scale[j] = max_p |w[p][j]| / 127} (a zero column gets scale 0), round half away
 *       from zero. 1 byte per weight plus 4 per output channel.
 *   <li>{@link Format#BF16}: the upper 16 bits of each float, rounded to nearest even (NaN kept
 *       NaN); {@code w = intBitsToFloat(bits << 16)}. 2 bytes per weight.
 * </ul>
 *
 * <p>The arrays are never modified after construction; the accessors return them without a copy
 * (the weights of a large model are hundreds of megabytes), and callers must not write them.
 */
public final class QuantizedWeight {

  /** The reduced-precision formats. */
  public enum Format {
    /** int8 values with one float scale per output channel (symmetric, no zero point). */
    INT8,
    /** bfloat16: a float's sign, exponent and top 7 mantissa bits. */
    BF16;

    /** The lower-case name used on command lines ({@code int8}, {@code bf16}). */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Format format;
  private final int in;
  private final int out;
  private final byte[] int8;
  private final float[] scales;
  private final short[] bf16;

  private QuantizedWeight(Format format, int in, int out, byte[] int8, float[] scales, short[] bf16) {
    this.format = format;
    this.in = in;
    this.out = out;
    this.int8 = int8;
    this.scales = scales;
    this.bf16 = bf16;
  }

  /**
   * Quantizes {@code w} to {@code format}.
   *
   * @param w the float weight, row-major: (out, in) when {@code outIn}, else (in, out)
   * @param in the input width K
   * @param out the output width N (the number of output channels)
   * @param outIn whether {@code w} is laid out (out, in), as PyTorch's {@code nn.Linear} stores it
   * @throws IllegalArgumentException when {@code w} does not hold {@code in × out} floats
   */
  public static QuantizedWeight quantize(Format format, float[] w, int in, int out, boolean outIn) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(w, "w");
    checkDims(in, out);
    if (w.length != (long) in * out) {
      throw new IllegalArgumentException(
          "quantize: weight has " + w.length + " floats but " + (outIn ? "(out, in) = (" + out + ", " + in
              : "(in, out) = (" + in + ", " + out) + ") needs " + (long) in * out);
    }
    // Index of w[p][j] (input p, output j) in the source layout.
    int rowStride = outIn ? 1 : out;
    int colStride = outIn ? in : 1;
    if (format == Format.BF16) {
      short[] bits = new short[in * out];
      for (int p = 0; p < in; p++) {
        for (int j = 0; j < out; j++) {
          bits[p * out + j] = toBf16(w[p * rowStride + j * colStride]);
        }
      }
      return new QuantizedWeight(format, in, out, null, null, bits);
    }
    float[] scales = new float[out];
    for (int j = 0; j < out; j++) {
      float max = 0f;
      for (int p = 0; p < in; p++) {
        float v = w[p * rowStride + j * colStride];
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException(
              "quantize: weight (input " + p + ", output " + j + ") is " + v + "; int8 needs finite values");
        }
        max = Math.max(max, Math.abs(v));
      }
      scales[j] = max / 127f;
    }
    byte[] q = new byte[in * out];
    for (int p = 0; p < in; p++) {
      for (int j = 0; j < out; j++) {
        float s = scales[j];
        q[p * out + j] = s == 0f ? 0 : toInt8(w[p * rowStride + j * colStride] / s);
      }
    }
    return new QuantizedWeight(format, in, out, q, scales, null);
  }

  /**
   * An int8 weight from its parts: {@code values} (in, out) row-major and {@code scales} (out).
   * The arrays are taken, not copied.
   */
  public static QuantizedWeight ofInt8(byte[] values, float[] scales, int in, int out) {
    checkDims(in, out);
    if (values.length != (long) in * out || scales.length != out) {
      throw new IllegalArgumentException(
          "int8 weight (in " + in + ", out " + out + "): expected " + (long) in * out + " values and "
              + out + " scales, got " + values.length + " and " + scales.length);
    }
    for (int j = 0; j < out; j++) {
      if (!(scales[j] >= 0f) || Float.isInfinite(scales[j])) {
        throw new IllegalArgumentException(
            "int8 weight: scale of output " + j + " is " + scales[j] + "; expected a finite value ≥ 0");
      }
    }
    return new QuantizedWeight(Format.INT8, in, out, values, scales, null);
  }

  /** A bf16 weight from its bits, (in, out) row-major; the array is taken, not copied. */
  public static QuantizedWeight ofBf16(short[] bits, int in, int out) {
    checkDims(in, out);
    if (bits.length != (long) in * out) {
      throw new IllegalArgumentException(
          "bf16 weight (in " + in + ", out " + out + "): expected " + (long) in * out + " values, got "
              + bits.length);
    }
    return new QuantizedWeight(Format.BF16, in, out, null, null, bits);
  }

  private static void checkDims(int in, int out) {
    if (in < 0 || out < 0 || (long) in * out > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "quantized weight: (in " + in + ", out " + out + ") must be non-negative and hold at most "
              + (Integer.MAX_VALUE - 8) + " elements");
    }
  }

  /** Round half away from zero, clamped to the symmetric range [−127, 127]. */
  static byte toInt8(float v) {
    int r = Math.round(Math.abs(v));
    return (byte) (v < 0 ? -Math.min(127, r) : Math.min(127, r));
  }

  /** A float's nearest bf16 (ties to even); NaN stays a quiet NaN of the same sign. */
  public static short toBf16(float v) {
    int bits = Float.floatToRawIntBits(v);
    if (Float.isNaN(v)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** The float a bf16 stands for. */
  public static float fromBf16(short bits) {
    return Float.intBitsToFloat(bits << 16);
  }

  /** The format. */
  public Format format() {
    return format;
  }

  /** The input width K. */
  public int in() {
    return in;
  }

  /** The output width N. */
  public int out() {
    return out;
  }

  /** The shape of the dequantized weight, (in, out): a right operand {@code x · W}. */
  public Shape shape() {
    return Shape.of(in, out);
  }

  /** The int8 values, (in, out) row-major; not a copy, do not modify. */
  public byte[] int8Values() {
    requireFormat(Format.INT8);
    return int8;
  }

  /** The scale of each output channel (out); not a copy, do not modify. */
  public float[] scales() {
    requireFormat(Format.INT8);
    return scales;
  }

  /** The bf16 bits, (in, out) row-major; not a copy, do not modify. */
  public short[] bf16Bits() {
    requireFormat(Format.BF16);
    return bf16;
  }

  private void requireFormat(Format f) {
    if (format != f) {
      throw new IllegalStateException("a " + format.label() + " weight has no " + f.label() + " data");
    }
  }

  /** The weight as floats, (in, out) row-major: what the quantized values stand for. */
  public float[] dequantize() {
    float[] w = new float[in * out];
    if (format == Format.BF16) {
      for (int i = 0; i < w.length; i++) {
        w[i] = fromBf16(bf16[i]);
      }
    } else {
      for (int p = 0; p < in; p++) {
        for (int j = 0; j < out; j++) {
          w[p * out + j] = int8[p * out + j] * scales[j];
        }
      }
    }
    return w;
  }

  /**
   * Row {@code j} of the dequantized {@code (out, in)} matrix, i.e. output channel {@code j} over
   * every input: for a table tied to an output projection (token embeddings), this is token
   * {@code j}'s vector. Written to {@code dst[dstOff, dstOff + in)}.
   */
  public void dequantizeOutputChannel(int j, float[] dst, int dstOff) {
    Objects.checkIndex(j, out);
    Objects.checkFromIndexSize(dstOff, in, dst.length);
    if (format == Format.BF16) {
      for (int p = 0; p < in; p++) {
        dst[dstOff + p] = fromBf16(bf16[p * out + j]);
      }
    } else {
      float s = scales[j];
      for (int p = 0; p < in; p++) {
        dst[dstOff + p] = int8[p * out + j] * s;
      }
    }
  }

  /** Bytes held by the values and scales (the resident size of this weight's data). */
  public long bytes() {
    return format == Format.BF16 ? 2L * bf16.length : int8.length + 4L * scales.length;
  }

  @Override
  public String toString() {
    return format.label() + " weight (in " + in + ", out " + out + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuantizedWeight q
        && q.format == format
        && q.in == in
        && q.out == out
        && Arrays.equals(q.int8, int8)
        && Arrays.equals(q.scales, scales)
        && Arrays.equals(q.bf16, bf16);
  }

  @Override
  public int hashCode() {
    return Objects.hash(format, in, out, Arrays.hashCode(int8), Arrays.hashCode(scales), Arrays.hashCode(bf16));
  }
}
