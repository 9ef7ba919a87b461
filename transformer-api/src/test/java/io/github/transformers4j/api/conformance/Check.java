package io.github.transformers4j.api.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Assertions and random data for kernel tests; every failure message carries the seed. */
public final class Check {
  /** Base seed; override with {@code -Dt4j.seed=...} to reproduce a failure. */
  public static final long SEED = Long.getLong("t4j.seed", 0x5EEDL);

  private Check() {}

  /** A seeded generator for one test, mixing the base seed with a test-specific salt. */
  public static SplittableRandom random(long salt) {
    return new SplittableRandom(SEED * 31 + salt);
  }

  /** {@code n} uniform floats in [-1, 1). */
  public static float[] uniform(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  /** {@code n} ids in [0, v). */
  public static int[] ids(SplittableRandom r, int n, int v) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextInt(v);
    }
    return a;
  }

  /**
   * Asserts {@code |actual − expected| <= atol + rtol·|expected|} elementwise, naming the first bad
   * index, the values, the context and the seed.
   */
  public static void close(float[] expected, float[] actual, double rtol, double atol, String what) {
    if (expected.length != actual.length) {
      fail(what + ": length " + actual.length + ", expected " + expected.length + " (seed " + SEED + ")");
    }
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      boolean bothNan = Double.isNaN(e) && Double.isNaN(a);
      if (!bothNan && !(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
        fail(
            what + ": element " + i + " is " + a + ", expected " + e + " (rtol " + rtol + ", atol "
                + atol + ", seed " + SEED + ")");
      }
    }
  }
}
