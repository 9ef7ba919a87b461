package io.github.transformers4j.apps.bench;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures single-precision GEMM, {@code C = A·B} on (n, n) {@code F32} matrices, through the
 * backend SPI ({@link ComputeBackend#fromHost} and {@link ComputeBackend#matmul}), as GFLOP/s
 * counting {@code 2n³} floating-point operations per product.
 *
 * <p>Each measurement first checks the backend's product: a few entries (the corners, where a tiled
 * kernel's edge handling fails, and some random ones) against a dot product in double precision,
 * within the rounding bound of any fp32 summation order. A kernel that skips work cannot report a
 * fast number: its result is {@linkplain Result#correct() marked wrong} and not timed. The check is
 * repeated on the last timed product, since a race between threads may show only under load.
 *
 * <p>The timed region is {@code matmul} plus closing its result, up to {@link
 * ComputeBackend#finish()} after the last call (a device backend returns once a kernel is queued);
 * inputs stay on the backend, and no host copy is timed.
 */
public final class GemmBench {
  /** Unit roundoff of binary32. */
  private static final double U = 0x1p-24;

  private static final int RANDOM_CHECKS = 6;

  private final Settings settings;

  /** A benchmark with these settings. */
  public GemmBench(Settings settings) {
    this.settings = settings;
  }

  /**
   * How long to measure.
   *
   * @param repeats timed samples per size; the median and the best are reported
   * @param warmupMillis least time spent on untimed products first, so the JIT and the backend's
   *     caches settle (at least two products are always run)
   * @param minSampleMillis least duration of one sample: small sizes repeat the product within a
   *     sample so the clock's resolution does not matter
   * @param seed of the random matrices
   */
  public record Settings(int repeats, long warmupMillis, long minSampleMillis, long seed) {
    public Settings {
      if (repeats < 1) {
        throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
      }
      if (warmupMillis < 0 || minSampleMillis < 0) {
        throw new IllegalArgumentException(
            "warmup and sample times must not be negative, got "
                + warmupMillis
                + " and "
                + minSampleMillis);
      }
    }
  }

  /**
   * One measurement.
   *
   * @param n the matrix size
   * @param threads the backend's thread option, or {@code null} when it was not set
   * @param sampleMillis time per product of each sample, in the order measured (empty when the
   *     product was wrong)
   * @param callsPerSample products timed together in one sample
   * @param correct whether every checked entry was within the rounding bound
   * @param checkDetail what was checked, or the first wrong entry
   */
  public record Result(
      int n,
      Integer threads,
      double[] sampleMillis,
      int callsPerSample,
      boolean correct,
      String checkDetail) {

    /** Floating-point operations of one product. */
    public double flops() {
      return 2.0 * n * n * (double) n;
    }

    /** The median time per product in milliseconds ({@code NaN} when wrong). */
    public double medianMillis() {
      if (sampleMillis.length == 0) {
        return Double.NaN;
      }
      double[] s = sampleMillis.clone();
      Arrays.sort(s);
      int m = s.length / 2;
      return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /** The fastest time per product in milliseconds ({@code NaN} when wrong). */
    public double bestMillis() {
      return Arrays.stream(sampleMillis).min().orElse(Double.NaN);
    }

    /** GFLOP/s of the median sample. */
    public double medianGflops() {
      return flops() / (medianMillis() * 1e6);
    }

    /** GFLOP/s of the fastest sample. */
    public double bestGflops() {
      return flops() / (bestMillis() * 1e6);
    }
  }

  /**
   * Checks, warms up and measures {@code C = A·B} for (n, n) matrices on {@code backend}.
   *
   * @param threads recorded in the result only: the thread option the backend was created with
   */
  public Result run(ComputeBackend backend, Integer threads, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("matrix size must be positive, got " + n);
    }
    SplittableRandom random = new SplittableRandom(settings.seed() * 31 + n);
    float[] a = randomMatrix(random, n);
    float[] b = randomMatrix(random, n);
    Shape shape = Shape.of(n, n);
    try (Tensor ta = backend.fromHost(a, shape);
        Tensor tb = backend.fromHost(b, shape)) {
      String wrong = check(backend, ta, tb, a, b, n, random);
      if (wrong != null) {
        return new Result(n, threads, new double[0], 0, false, wrong);
      }

      // The fastest warm-up call sizes the samples: the average would count the JIT's first,
      // slow calls and leave the samples of the first size too short.
      int warmupCalls = 0;
      long fastest = Long.MAX_VALUE;
      long start = System.nanoTime();
      long now = start;
      do {
        long t0 = now;
        multiply(backend, ta, tb);
        backend.finish();
        warmupCalls++;
        now = System.nanoTime();
        fastest = Math.min(fastest, now - t0);
      } while (warmupCalls < 2 || now - start < settings.warmupMillis() * 1_000_000L);
      int calls =
          (int)
              Math.max(
                  1,
                  Math.min(
                      1_000_000,
                      Math.ceil(settings.minSampleMillis() * 1e6 / Math.max(1, fastest))));

      double[] samples = new double[settings.repeats()];
      for (int r = 0; r < samples.length; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          multiply(backend, ta, tb);
        }
        backend.finish();
        samples[r] = (System.nanoTime() - t0) / 1e6 / calls;
      }

      wrong = check(backend, ta, tb, a, b, n, random);
      if (wrong != null) {
        return new Result(n, threads, new double[0], calls, false, "after timing: " + wrong);
      }
      return new Result(
          n,
          threads,
          samples,
          calls,
          true,
          (4 + RANDOM_CHECKS) + " entries within the fp32 rounding bound, before and after timing");
    }
  }

  private static void multiply(ComputeBackend backend, Tensor a, Tensor b) {
    backend.matmul(a, b, false, false).close();
  }

  /** Uniform in [-1, 1): products and sums of such values exercise sign and cancellation. */
  private static float[] randomMatrix(SplittableRandom random, int n) {
    float[] m = new float[n * n];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return m;
  }

  /** The first wrong entry of {@code backend}'s {@code A·B}, or {@code null} when all agree. */
  private static String check(
      ComputeBackend backend,
      Tensor ta,
      Tensor tb,
      float[] a,
      float[] b,
      int n,
      SplittableRandom random) {
    float[] c;
    try (Tensor tc = backend.matmul(ta, tb, false, false)) {
      if (tc.dtype() != DType.F32 || !tc.shape().equals(Shape.of(n, n))) {
        return "matmul returned "
            + tc.dtype()
            + " "
            + tc.shape()
            + ", expected F32 "
            + Shape.of(n, n);
      }
      c = tc.toFloatArray();
    }
    int[][] at = new int[4 + RANDOM_CHECKS][];
    at[0] = new int[] {0, 0};
    at[1] = new int[] {0, n - 1};
    at[2] = new int[] {n - 1, 0};
    at[3] = new int[] {n - 1, n - 1};
    for (int k = 4; k < at.length; k++) {
      at[k] = new int[] {random.nextInt(n), random.nextInt(n)};
    }
    for (int[] ij : at) {
      String wrong = checkEntry(a, b, c, n, ij[0], ij[1]);
      if (wrong != null) {
        return wrong;
      }
    }
    return null;
  }

  /**
   * Compares {@code C[i,j]} with the dot product of row i of A and column j of B. Any fp32
   * summation order (blocked, vectorized, fused multiply-add) stays within {@code n·u·Σ|a·b|} of
   * the exact value, so the bound holds for every correct kernel and only for those.
   */
  static String checkEntry(float[] a, float[] b, float[] c, int n, int i, int j) {
    double exact = 0;
    double magnitude = 0;
    for (int k = 0; k < n; k++) {
      double p = (double) a[i * n + k] * b[k * n + j];
      exact += p;
      magnitude += Math.abs(p);
    }
    double bound = 1.01 * n * U * magnitude + Double.MIN_NORMAL;
    float got = c[i * n + j];
    if (!(Math.abs(got - exact) <= bound)) {
      return String.format(
          Locale.ROOT,
          "C[%d,%d] = %s but the dot product is %.7g (allowed error %.3g) at n=%d",
          i,
          j,
          got,
          exact,
          bound,
          n);
    }
    return null;
  }
}
