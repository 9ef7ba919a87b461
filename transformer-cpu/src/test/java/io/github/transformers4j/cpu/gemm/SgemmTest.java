package io.github.transformers4j.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.transformers4j.cpu.exec.Parallel;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Sgemm} against {@link NaiveGemm} on random matrices of awkward sizes, every transpose
 * combination, alpha/beta, offsets and padded leading dimensions.
 *
 * <p>Tolerance: element (i, j) may differ from the double-accumulated oracle by {@code (K + 2)·u·
 * (|alpha|·Σ_p |A(i,p)·B(p,j)| + |beta·C(i,j)|)} with u = 2⁻²³, the standard forward error bound
 * of a K-term float dot product (plus the alpha/beta roundings), so a wrong term or a missed
 * element fails while reordered summation passes.
 */
class SgemmTest {
  private static final int[] SIZES = {1, 3, 13, 64, 127, 207};
  private static Parallel one;
  private static Parallel two;

  @BeforeAll
  static void pools() {
    one = new Parallel(1, "test-gemm1");
    two = new Parallel(2, "test-gemm2");
  }

  @AfterAll
  static void close() {
    one.close();
    two.close();
  }

  @Test
  void matchesNaiveOnAwkwardSizesAllTransposes() {
    long seed = 0x5eed0001L;
    SplittableRandom rnd = new SplittableRandom(seed);
    Sgemm gemm = new Sgemm(one);
    int cases = 0;
    for (int m : SIZES) {
      for (int n : SIZES) {
        // All K for the small shapes, a sample for the others, to keep the suite fast.
        for (int k : SIZES) {
          if (m * n * k > 207 * 207 * 13 && rnd.nextInt(4) != 0) {
            continue;
          }
          for (int t = 0; t < 4; t++) {
            check(gemm, rnd.split(), seed, m, n, k, (t & 1) != 0, (t & 2) != 0);
            cases++;
          }
        }
      }
    }
    assertTrue(cases > 400, "ran " + cases + " cases");
  }

  @Test
  void largeSizesIncludingMultiBlockAndTwoThreads() {
    long seed = 0x5eed0002L;
    SplittableRandom rnd = new SplittableRandom(seed);
    // Shapes that cross KC, MC and NC block edges and the parallel split, without every 1024³.
    int[][] shapes = {
      {1024, 13, 300}, {13, 1024, 517}, {207, 1024, 64}, {1024, 127, 3}, {300, 2100, 260},
      {1, 1024, 1024}, {129, 129, 1024}, {64, 64, 1024}
    };
    for (Parallel p : new Parallel[] {one, two}) {
      Sgemm gemm = new Sgemm(p);
      for (int[] s : shapes) {
        for (int t = 0; t < 4; t++) {
          check(gemm, rnd.split(), seed, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0);
        }
      }
    }
  }

  @Test
  void biasVariantAddsTheBiasToEveryRowAndOverwritesC() {
    SplittableRandom rnd = new SplittableRandom(0x5eed0003L);
    // Split over N (n >= m) and over M (m > n) on two threads, edge tiles, and the unpacked path.
    int[][] shapes = {{128, 1152, 384}, {1024, 96, 200}, {3, 50, 7}, {13, 33, 127}, {1, 384, 1536}};
    for (Parallel p : new Parallel[] {one, two}) {
      Sgemm gemm = new Sgemm(p);
      for (int[] s : shapes) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        for (boolean tb : new boolean[] {false, true}) {
          float[] a = random(rnd, m * k);
          float[] b = random(rnd, k * n);
          float[] bias = random(rnd, n + 3);
          float[] c = new float[m * n];
          java.util.Arrays.fill(c, Float.NaN); // overwritten, never read
          gemm.sgemmBias(false, tb, m, n, k, a, 0, k, b, 0, tb ? k : n, bias, 3, c, 0, n);
          float[] ref = new float[m * n];
          for (int i = 0; i < m; i++) {
            System.arraycopy(bias, 3, ref, i * n, n);
          }
          NaiveGemm.sgemm(false, tb, m, n, k, 1f, a, 0, k, b, 0, tb ? k : n, 1f, ref, 0, n);
          for (int i = 0; i < c.length; i++) {
            // |a|, |b| ≤ 1, so every term is ≤ 1 and the sum of magnitudes ≤ k + 1.
            double tol = (k + 2) * 0x1p-23 * (k + 1);
            if (!(Math.abs(c[i] - ref[i]) <= tol)) {
              fail(String.format("M=%d N=%d K=%d tB=%b threads=%d: C[%d,%d]=%s, expected %s", m, n,
                  k, tb, p.threads(), i / n, i % n, c[i], ref[i]));
            }
          }
        }
      }
    }
  }

  @Test
  void prepackedRightOperandGivesTheSameBitsAsPackingPerCall() {
    SplittableRandom rnd = new SplittableRandom(0x5eed0004L);
    // N split (wide), M split (tall), several K blocks (K > KC), edge strips and tiles, NC blocks;
    // all large enough that the per-call path packs too (else it sums in another order).
    int[][] shapes = {
      {128, 1152, 384}, {1024, 96, 200}, {13, 33, 200}, {64, 2100, 700}, {300, 40, 1536}, {9, 32, 300}
    };
    for (Parallel p : new Parallel[] {one, two}) {
      Sgemm gemm = new Sgemm(p);
      for (int[] s : shapes) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        for (boolean tb : new boolean[] {false, true}) {
          int ldb = (tb ? k : n) + 1;
          float[] a = random(rnd, 2 + m * (k + 2));
          float[] b = random(rnd, (tb ? n : k) * ldb);
          float[] bias = random(rnd, n);
          Sgemm.PackedB pb = gemm.pack(tb, k, n, b, 0, ldb);
          for (float[] bi : new float[][] {bias, null}) {
            float[] want = new float[m * n];
            float[] got = new float[m * n];
            java.util.Arrays.fill(got, Float.NaN);
            if (bi == null) {
              gemm.sgemm(false, tb, m, n, k, 1f, a, 2, k + 2, b, 0, ldb, 0f, want, 0, n);
            } else {
              gemm.sgemmBias(false, tb, m, n, k, a, 2, k + 2, b, 0, ldb, bi, 0, want, 0, n);
            }
            gemm.sgemmPacked(m, a, 2, k + 2, pb, bi, 0, got, 0, n);
            for (int i = 0; i < want.length; i++) {
              if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                fail(String.format("M=%d N=%d K=%d tB=%b bias=%b threads=%d: C[%d,%d]=%s, expected %s",
                    m, n, k, tb, bi != null, p.threads(), i / n, i % n, got[i], want[i]));
              }
            }
          }
        }
      }
    }
  }

  @Test
  void betaZeroOverwritesNaN() {
    float[] a = {1, 2, 3, 4};
    float[] b = {1, 0, 0, 1};
    float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
    new Sgemm(one).sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
    assertTrue(java.util.Arrays.equals(a, c), java.util.Arrays.toString(c));
  }

  @Test
  void rejectsArraysTooSmall() {
    Sgemm gemm = new Sgemm(one);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                gemm.sgemm(false, false, 4, 4, 4, 1f, new float[15], 0, 4, new float[16], 0, 4, 0f,
                    new float[16], 0, 4));
    assertTrue(e.getMessage().contains("A"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            gemm.sgemm(false, true, 4, 4, 4, 1f, new float[16], 0, 3, new float[16], 0, 4, 0f,
                new float[16], 0, 4));
  }

  @Test
  void warmedUpCallAllocatesAlmostNothing() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int n = 256;
    SplittableRandom rnd = new SplittableRandom(7);
    float[] a = random(rnd, n * n);
    float[] b = random(rnd, n * n);
    float[] c = new float[n * n];
    Sgemm gemm = new Sgemm(one);
    // Warm up until C2 has compiled the kernel (allocation in the interpreter is not the question).
    // On a loaded machine the compile queue may lag (the edge-tile path, run for 4 of 256 rows,
    // was seen still in C1 code after 60 calls, boxing its vectors: 384 KB a call), so measured
    // rounds follow for up to 30 s and the best counts: a kernel that C2 compiled with boxed
    // vectors would allocate megabytes in every round, however long it ran.
    for (int i = 0; i < 60; i++) {
      gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
    }
    long tid = Thread.currentThread().getId();
    long best = Long.MAX_VALUE;
    long deadline = System.nanoTime() + 30_000_000_000L;
    for (int round = 0; (round < 20 || System.nanoTime() < deadline) && best >= 64 * 1024; round++) {
      long before = mx.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 5; i++) {
        gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
      }
      best = Math.min(best, (mx.getThreadAllocatedBytes(tid) - before) / 5);
    }
    // A FloatVector boxed per FMA would be ~2 GB per call; the pack buffers are reused.
    assertTrue(best < 64 * 1024, "one warmed-up 256³ sgemm allocated " + best + " bytes");
  }

  static float[] random(SplittableRandom rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextDouble(-1, 1);
    }
    return x;
  }

  private static void check(
      Sgemm gemm, SplittableRandom rnd, long seed, int m, int n, int k, boolean ta, boolean tb) {
    float[] alphas = {1f, -0.5f, 2f};
    float[] betas = {0f, 1f, 0.75f};
    float alpha = alphas[rnd.nextInt(3)];
    float beta = betas[rnd.nextInt(3)];
    int aRows = ta ? k : m;
    int aCols = ta ? m : k;
    int bRows = tb ? n : k;
    int bCols = tb ? k : n;
    int lda = aCols + rnd.nextInt(3);
    int ldb = bCols + rnd.nextInt(3);
    int ldc = n + rnd.nextInt(3);
    int aOff = rnd.nextInt(5);
    int bOff = rnd.nextInt(5);
    int cOff = rnd.nextInt(5);
    float[] a = random(rnd, aOff + aRows * lda);
    float[] b = random(rnd, bOff + bRows * ldb);
    float[] c0 = random(rnd, cOff + m * ldc);
    float[] c = c0.clone();
    float[] ref = c0.clone();
    gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    NaiveGemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, ref, cOff, ldc);
    double u = 0x1p-23;
    for (int i = 0; i < c.length; i++) {
      int r = i - cOff;
      boolean inside = r >= 0 && r / ldc < m && r % ldc < n;
      if (!inside) {
        if (Float.floatToIntBits(c[i]) != Float.floatToIntBits(c0[i])) {
          fail(String.format("seed %#x M=%d N=%d K=%d tA=%b tB=%b: wrote outside C at %d", seed, m,
              n, k, ta, tb, i));
        }
        continue;
      }
      int row = r / ldc;
      int col = r % ldc;
      double mag = 0;
      for (int p = 0; p < k; p++) {
        float av = ta ? a[aOff + p * lda + row] : a[aOff + row * lda + p];
        float bv = tb ? b[bOff + col * ldb + p] : b[bOff + p * ldb + col];
        mag += Math.abs((double) av * bv);
      }
      double tol = (k + 2) * u * (Math.abs(alpha) * mag + Math.abs(beta * c0[i])) + 1e-30;
      if (!(Math.abs(c[i] - ref[i]) <= tol)) {
        fail(String.format(
            "seed %#x M=%d N=%d K=%d tA=%b tB=%b alpha=%s beta=%s: C[%d,%d]=%s, expected %s ± %.3g",
            seed, m, n, k, ta, tb, alpha, beta, row, col, c[i], ref[i], tol));
      }
    }
  }
}
