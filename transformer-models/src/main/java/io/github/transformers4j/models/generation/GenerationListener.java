package io.github.transformers4j.models.generation;

/**
 * Observes a generation as it runs: each new token as soon as it is chosen (streaming), and the
 * logits of each step (for tests and diagnostics).
 */
public interface GenerationListener {

  /** Row {@code row} of the batch got {@code token}. Not called for rows that already stopped. */
  default void onToken(int row, int token) {}

  /** The raw next-token logits of step {@code step}, (B, V) row-major, before any processing. */
  default void onLogits(int step, float[] logits) {}

  /** A listener that does nothing. */
  GenerationListener NONE = new GenerationListener() {};
}
