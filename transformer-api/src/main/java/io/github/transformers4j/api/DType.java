package io.github.transformers4j.api;

/**
 * Element types. {@link #F32} is the compute type; {@link #I32} holds token ids and labels;
 * {@link #F16} and {@link #BF16} are storage types converted to {@code F32} on load.
 */
public enum DType {
  /** IEEE 754 binary32, the compute type of every kernel. */
  F32(4),
  /** IEEE 754 binary16; storage only. */
  F16(2),
  /** bfloat16 (the upper half of a binary32); storage only. */
  BF16(2),
  /** 32-bit signed integers: token ids, labels, positions. */
  I32(4);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /** Whether kernels compute in this type (only {@code F32} and {@code I32} tensors exist). */
  public boolean isCompute() {
    return this == F32 || this == I32;
  }

  /** Converts a binary16 bit pattern to a float (exact). */
  public static float f16ToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      // Inf or NaN: keep the payload.
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      // Zero or subnormal: value = mant * 2^-24.
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Converts a bfloat16 bit pattern to a float (exact). */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }
}
