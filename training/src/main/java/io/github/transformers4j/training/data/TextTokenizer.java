package io.github.transformers4j.training.data;

/**
 * Text to token ids and back: what the data pipeline needs of a tokenizer. {@link CharTokenizer} is
 * the built-in one; any other tokenizer plugs in with a lambda-sized adapter.
 *
 * <p>Thread safety: immutable once built (its word cache is concurrent); one instance may be shared
 * by any number of threads.
 */
public interface TextTokenizer {

  /** The ids of {@code text}. */
  int[] encode(String text);

  /** The text of {@code ids}; special tokens are skipped. */
  String decode(int[] ids);

  /** Number of ids (the model's vocabulary size). */
  int vocabSize();

  /** The special tokens, -1 where absent. */
  default SpecialTokens specials() {
    return SpecialTokens.NONE;
  }
}
