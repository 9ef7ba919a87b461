package io.github.transformers4j.models.weights;

/**
 * Float to binary16 and bfloat16 conversion with IEEE round-to-nearest-even, for the writers. The
 * other direction is {@code DType.f16ToFloat} and {@code DType.bf16ToFloat}. (Java 17 has no
 * {@code Float.floatToFloat16}; it arrived in Java 20.)
 */
final class FloatFormats {
  private FloatFormats() {}

  /**
   * The binary16 nearest to {@code f} (ties to even): values beyond the largest half (65504)
   * round to infinity, tiny ones to (signed) zero or a subnormal; NaN stays a quiet NaN.
   */
  static short floatToF16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      // Keep a NaN a NaN (quiet bit set, top payload bits kept); infinity stays infinity.
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 112; // rebias 127 -> 15
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      // A half subnormal m * 2^-24: m = (1.mant) * 2^(exp - 127) / 2^-24 = full >> (14 - e).
      int shift = 14 - e;
      if (shift > 24) {
        return (short) sign; // below half the smallest subnormal: rounds to zero
      }
      int full = mant | 0x800000;
      int m = full >>> shift;
      int rem = full & ((1 << shift) - 1);
      int half = 1 << (shift - 1);
      if (rem > half || (rem == half && (m & 1) == 1)) {
        m++; // may carry into the smallest normal (0x400), which is its correct encoding
      }
      return (short) (sign | m);
    }
    int m = mant >>> 13;
    int rem = mant & 0x1fff;
    int h = (e << 10) + m;
    if (rem > 0x1000 || (rem == 0x1000 && (m & 1) == 1)) {
      h++; // a carry into the exponent is right, up to infinity (0x7c00)
    }
    return (short) (sign | h);
  }

  /** The bfloat16 nearest to {@code f} (ties to even); NaN stays a quiet NaN. */
  static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
