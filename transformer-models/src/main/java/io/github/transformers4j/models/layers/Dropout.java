package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;

/**
 * Inverted dropout with probability {@code p}, active only in training ({@link #train}); in
 * evaluation it is the identity. Each call in training draws a fresh mask from the training seed
 * and a call counter, so a run is reproducible from its seed and the backward (recorded by {@code
 * Ops}) reuses exactly the forward's mask.
 */
public final class Dropout extends AbstractModule {
  private final float p;
  private long calls;

  /** Dropout with probability {@code p} in [0, 1). */
  public Dropout(Ops ops, float p) {
    super(ops);
    if (!(p >= 0f && p < 1f)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    }
    this.p = p;
  }

  /** {@code x} with elements dropped in training, unchanged in evaluation. */
  public Tensor forward(Tensor x) {
    float active = activeProbability();
    return active == 0f ? x : ops.dropout(x, active, nextSeed());
  }

  /** The probability in effect now: {@code p} in training, 0 in evaluation. */
  public float activeProbability() {
    return isTraining() ? p : 0f;
  }

  /**
   * The seed of the next mask, for a kernel that drops inside itself (attention probabilities);
   * advances the same counter as {@link #forward}.
   */
  public long nextSeed() {
    // SplitMix-style mixing: consecutive calls get unrelated seeds.
    return trainingSeed() + 0x9E3779B97F4A7C15L * ++calls;
  }

  @Override
  public void train(boolean on, long seed) {
    super.train(on, seed);
    calls = 0;
  }
}
