package io.github.transformers4j.api;

/**
 * The dropout mask as a pure function of a seed and an element index, so that every backend (and
 * the backward pass) drops exactly the same elements without storing a mask.
 */
public final class Dropout {
  private Dropout() {}

  /** Whether element {@code index} survives dropout with probability {@code p} under {@code seed}. */
  public static boolean keep(long seed, long index, float p) {
    return uniform(seed, index) >= p;
  }

  /**
   * A uniform number in [0, 1) from the SplitMix64 finalizer applied to {@code seed} and
   * {@code index}: a counter-based generator, stateless and the same on every device.
   */
  public static float uniform(long seed, long index) {
    long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 40) * 0x1.0p-24f;
  }
}
