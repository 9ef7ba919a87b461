package io.github.transformers4j.training.data;

/**
 * A seedable random generator whose whole state is one {@code long} (SplitMix64), so that a
 * checkpoint can store it and a resumed run draws exactly the same numbers.
 */
public final class Rng {
  private long state;

  /** A generator seeded with {@code seed}. */
  public Rng(long seed) {
    this.state = seed;
  }

  /** The state, for a checkpoint. */
  public long state() {
    return state;
  }

  /** Restores a state from {@link #state}. */
  public void setState(long state) {
    this.state = state;
  }

  /** The next 64 random bits. */
  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A uniform int in [0, bound). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be > 0, got " + bound);
    }
    // Lemire's multiply-shift with rejection: unbiased.
    long m = (nextLong() >>> 32) * bound;
    long low = m & 0xFFFFFFFFL;
    if (low < bound) {
      long threshold = (0x1_0000_0000L - bound) % bound;
      while (low < threshold) {
        m = (nextLong() >>> 32) * bound;
        low = m & 0xFFFFFFFFL;
      }
    }
    return (int) (m >>> 32);
  }

  /** A uniform double in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Shuffles {@code a} in place (Fisher-Yates). */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** A generator for sub-stream {@code key} of {@code seed}, independent of other keys. */
  public static Rng derive(long seed, long... keys) {
    long s = seed;
    for (long k : keys) {
      s = new Rng(s ^ (k * 0xD1B54A32D192ED03L)).nextLong();
    }
    return new Rng(s);
  }
}
