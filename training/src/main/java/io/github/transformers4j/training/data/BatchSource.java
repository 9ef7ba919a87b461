package io.github.transformers4j.training.data;

import java.util.Map;

/**
 * An endless, deterministic stream of batches whose position is a small state that a checkpoint
 * stores, so that a resumed run sees exactly the batches it would have seen.
 */
public interface BatchSource {

  /** The next batch. */
  Batch next();

  /** The position in the stream (generator states, epoch, index). */
  Map<String, Long> state();

  /** Continues from a position saved by {@link #state}. */
  void restore(Map<String, Long> state);

  /** Reads {@code key} from a saved state, failing with the key's name when it is missing. */
  static long require(Map<String, Long> state, String key) {
    Long v = state.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "batch source state: missing '" + key + "' (have " + state.keySet() + ")");
    }
    return v;
  }
}
