package io.github.transformers4j.cpu.gemm;

/**
 * The scalar reference for {@link Sgemm}: the textbook triple loop on the same row-major
 * arguments. It accumulates in double so that, as a test oracle, its own rounding is negligible
 * next to the error of the kernel under test.
 */
public final class NaiveGemm {
  private NaiveGemm() {}

  /** {@code C = alpha·op(A)·op(B) + beta·C}, with the argument conventions of {@link Sgemm#sgemm}. */
  public static void sgemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    Sgemm.checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          s += (double) av * bv;
        }
        int o = cOff + i * ldc + j;
        c[o] = (float) (alpha * s + (beta == 0f ? 0.0 : (double) beta * c[o]));
      }
    }
  }
}
