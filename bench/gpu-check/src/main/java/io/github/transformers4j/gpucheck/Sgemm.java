package io.github.transformers4j.gpucheck;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * SGEMM throughput, {@code C = A·B} on (n, n) F32 matrices through {@link ComputeBackend#matmul},
 * as GFLOP/s counting {@code 2n³} operations per product.
 *
 * <p>A sample is {@code m} products back to back (m chosen so that a sample lasts at least {@code
 * minSampleMillis}) followed by reading the last product back to the host: the read is the one
 * synchronization every backend offers, so a backend that queues work cannot report a fast
 * number, and its cost is spread over the m products. Inputs are uploaded once, before timing.
 *
 * <p>Before timing, and again on the last timed product, a few entries of C (the four corners,
 * where a tiled kernel's edge handling fails, and random ones) are compared with a dot product in
 * double precision within {@code γ_n = n·u / (1 − n·u)} times {@code Σ|a_ik·b_kj|}, the bound of
 * any order of fp32 summation; a size whose product is wrong is reported and not timed.
 */
final class Sgemm {
  private static final double U = 0x1p-24;
  private static final int RANDOM_CHECKS = 6;

  private Sgemm() {}

  /** One size's measurement; {@code gflops*} are 0 when {@code correct} is false. */
  record Result(
      int n,
      boolean correct,
      String check,
      int productsPerSample,
      double[] millisPerProduct,
      double gflopsMedian,
      double gflopsBest) {}

  /**
   * Measures one size: up to {@code samples} samples, fewer (at least one) once {@code
   * budgetMillis} is spent.
   */
  static Result measure(
      ComputeBackend backend,
      int n,
      int samples,
      long minSampleMillis,
      long budgetMillis,
      long seed,
      PrintStream log) {
    SplittableRandom r = new SplittableRandom(seed ^ n);
    float[] a = uniform(r, n * n);
    float[] b = uniform(r, n * n);
    Tensor ta = backend.fromHost(a, Shape.of(n, n));
    Tensor tb = backend.fromHost(b, Shape.of(n, n));
    try {
      long t0 = System.nanoTime();
      Tensor c = backend.matmul(ta, tb, false, false);
      float[] host = c.toFloatArray();
      c.close();
      double firstMs = (System.nanoTime() - t0) / 1e6;
      String bad = check(a, b, host, n, r);
      if (bad != null) {
        log.printf(Locale.ROOT, "  sgemm %5d: WRONG product: %s%n", n, bad);
        return new Result(n, false, bad, 0, new double[0], 0, 0);
      }
      // The first product includes compiling the kernel; one more settles caches and clocks.
      t0 = System.nanoTime();
      backend.matmul(ta, tb, false, false).close();
      double warmMs = Math.max(1e-3, (System.nanoTime() - t0) / 1e6);
      int m = (int) Math.max(1, Math.min(1000, Math.ceil(minSampleMillis / warmMs)));
      double[] ms = new double[samples];
      float[] last = null;
      int done = 0;
      long start = System.nanoTime();
      for (int s = 0; s < samples; s++) {
        if (s > 0 && (System.nanoTime() - start) / 1e6 >= budgetMillis) {
          break;
        }
        long s0 = System.nanoTime();
        Tensor out = null;
        for (int i = 0; i < m; i++) {
          if (out != null) {
            out.close();
          }
          out = backend.matmul(ta, tb, false, false);
        }
        last = out.toFloatArray();
        out.close();
        ms[s] = (System.nanoTime() - s0) / 1e6 / m;
        done++;
      }
      ms = Arrays.copyOf(ms, done);
      String badLast = check(a, b, last, n, r);
      if (badLast != null) {
        log.printf(Locale.ROOT, "  sgemm %5d: WRONG timed product: %s%n", n, badLast);
        return new Result(n, false, badLast, m, ms, 0, 0);
      }
      double[] sorted = ms.clone();
      Arrays.sort(sorted);
      double flop = 2.0 * n * n * (double) n;
      double median = flop / (median(sorted) * 1e6);
      double best = flop / (sorted[0] * 1e6);
      log.printf(
          Locale.ROOT,
          "  sgemm %5d: %9.1f GFLOP/s median, %9.1f best (%d samples of %d products, %.1f ms"
              + " each; first product %.0f ms)%n",
          n,
          median,
          best,
          done,
          m,
          median(sorted),
          firstMs);
      return new Result(
          n, true, "corners and " + RANDOM_CHECKS + " random entries within γ_n", m, ms, median,
          best);
    } finally {
      ta.close();
      tb.close();
    }
  }

  static double median(double[] sorted) {
    int k = sorted.length;
    return k % 2 == 1 ? sorted[k / 2] : (sorted[k / 2 - 1] + sorted[k / 2]) / 2;
  }

  private static float[] uniform(SplittableRandom r, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) (2 * r.nextDouble() - 1);
    }
    return x;
  }

  /** The first entry of {@code c} outside the rounding bound, or null when all checked agree. */
  static String check(float[] a, float[] b, float[] c, int n, SplittableRandom r) {
    int[][] at = new int[4 + RANDOM_CHECKS][];
    at[0] = new int[] {0, 0};
    at[1] = new int[] {0, n - 1};
    at[2] = new int[] {n - 1, 0};
    at[3] = new int[] {n - 1, n - 1};
    for (int i = 0; i < RANDOM_CHECKS; i++) {
      at[4 + i] = new int[] {r.nextInt(n), r.nextInt(n)};
    }
    double gamma = n * U / (1 - n * U);
    for (int[] ij : at) {
      int i = ij[0];
      int j = ij[1];
      double exact = 0;
      double abs = 0;
      for (int k = 0; k < n; k++) {
        double p = (double) a[i * n + k] * b[k * n + j];
        exact += p;
        abs += Math.abs(p);
      }
      double got = c[i * n + j];
      // The product is rounded to fp32 at the end, which adds u·|exact|.
      double bound = gamma * abs + U * Math.abs(exact) + Float.MIN_NORMAL;
      if (!(Math.abs(got - exact) <= bound)) {
        return String.format(
            Locale.ROOT,
            "C[%d][%d] = %s, expected %s within %.3g (|difference| %.3g)",
            i,
            j,
            got,
            exact,
            bound,
            Math.abs(got - exact));
      }
    }
    return null;
  }
}
