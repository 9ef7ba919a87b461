package io.github.transformers4j.models.generation;

import io.github.transformers4j.api.Tensor;

/**
 * A model being decoded step by step: it keeps whatever state makes the next step cheap (the KV
 * cache, an encoder-decoder's encoder output and projected cross-attention keys and values).
 * Implemented by the decoder families; driven by {@link Generator}.
 *
 * <p>Thread safety: a session holds one generation's cache: it belongs to one thread at a time.
 * Open one per thread from a shared model.
 */
public interface DecodingSession {

  /** The vocabulary size V of the logits. */
  int vocabSize();

  /** Number of positions fed so far (the cached length). */
  int length();

  /**
   * Feeds {@code t} new tokens per row and returns the logits of each row's last new token.
   *
   * @param ids (B, t) row-major token ids
   * @param positions (B, t) row-major absolute positions (left-padded rows start later)
   * @param keyMask (B, length() + t) row-major: 1 for a token, 0 for padding; null when nothing is
   *     padded
   * @return logits (B, V)
   */
  Tensor step(int[] ids, int[] positions, int batch, int[] keyMask);

  /** Keeps batch rows {@code rows}, in that order (beam search reorders hypotheses). */
  void selectRows(int[] rows);
}
