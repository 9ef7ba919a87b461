package io.github.transformers4j.cpu.gemm;

import io.github.transformers4j.api.QuantizedWeight;

/**
 * The scalar reference for {@link QuantizedGemm}: the triple loop reading the int8 or bf16 values
 * where {@link QuantizedWeight} stores them, accumulating in double, so that as a test oracle its
 * own rounding is negligible next to the kernel's.
 */
public final class NaiveQuantizedGemm {
  private NaiveQuantizedGemm() {}

  /** {@code C[M×N] = A[M×K] · W + bias}, with the arguments of {@link QuantizedGemm#linear}. */
  public static void linear(int m, float[] a, int aOff, QuantizedWeight w, float[] bias, float[] c, int cOff) {
    int k = w.in();
    int n = w.out();
    boolean int8 = w.format() == QuantizedWeight.Format.INT8;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double wv =
              int8
                  ? (double) w.int8Values()[p * n + j] * w.scales()[j]
                  : QuantizedWeight.fromBf16(w.bf16Bits()[p * n + j]);
          s += a[aOff + i * k + p] * wv;
        }
        c[cOff + i * n + j] = (float) (s + (bias == null ? 0.0 : bias[j]));
      }
    }
  }
}
