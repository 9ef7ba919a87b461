package io.github.transformers4j.models.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded parameter initializers (host arrays, copied to the backend once). Every random draw comes
 * from an explicit {@link SplittableRandom}, so a model built twice with one seed is the same model.
 */
public final class Init {
  private Init() {}

  /** {@code n} draws from N(0, std²). */
  public static float[] normal(SplittableRandom rng, int n, double std) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rng.nextGaussian() * std);
    }
    return a;
  }

  /** {@code n} draws from U(-bound, bound). */
  public static float[] uniform(SplittableRandom rng, int n, double bound) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
    }
    return a;
  }

  /** {@code n} copies of {@code v}. */
  public static float[] constant(int n, float v) {
    float[] a = new float[n];
    if (v != 0f) {
      Arrays.fill(a, v);
    }
    return a;
  }
}
