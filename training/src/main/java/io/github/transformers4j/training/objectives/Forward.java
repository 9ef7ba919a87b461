package io.github.transformers4j.training.objectives;

/**
 * How a forward pass runs: in training (dropout on) or evaluation (dropout off), and the seed of
 * this pass's randomness (dropout masks, MLM masking). The trainer derives the seed from the run
 * seed, the step and the micro-batch, so a resumed run draws the same masks.
 *
 * @param training whether dropout is active
 * @param seed the seed of this pass's randomness
 */
public record Forward(boolean training, long seed) {

  /** An evaluation pass (dropout off) with randomness from {@code seed} (MLM masking). */
  public static Forward eval(long seed) {
    return new Forward(false, seed);
  }

  /** A training pass with randomness from {@code seed}. */
  public static Forward train(long seed) {
    return new Forward(true, seed);
  }

  /** The dropout probability to use: {@code p} in training, 0 in evaluation. */
  public float dropout(float p) {
    return training ? p : 0f;
  }

  /**
   * A seed for dropout site {@code site} (each dropout call in a model should use its own), so that
   * two sites never drop the same pattern.
   */
  public long seedFor(long site) {
    long z = seed + (site + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    return z ^ (z >>> 33);
  }
}
