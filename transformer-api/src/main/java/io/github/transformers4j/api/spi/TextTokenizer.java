package io.github.transformers4j.api.spi;

/**
 * What models and apps need from a tokenizer, whatever its type: text to ids and back. The
 * implementations (BPE, WordPiece, Unigram...) live in the tokenizers module and are found through
 * {@link TokenizerProvider}.
 *
 * <p>Thread safety: immutable once built (its word cache is concurrent); one instance may be shared
 * by any number of threads.
 */
public interface TextTokenizer {

  /** The ids of {@code text}, with the special tokens the tokenizer's template adds. */
  int[] encodeIds(String text);

  /** The text of {@code ids}, without special tokens when {@code skipSpecialTokens}. */
  String decodeIds(int[] ids, boolean skipSpecialTokens);

  /** The number of ids (largest id plus one), added tokens included. */
  int vocabularySize();

  /** The id of {@code token}, or -1 if the vocabulary has no such token. */
  int tokenId(String token);

  /**
   * The tokens of {@code text}, as {@link #encodeIds} gives them, with each token's char span in
   * {@code text}, whether the template added it, and its word index. Tokenizers that keep no
   * offsets say so.
   *
   * @throws UnsupportedOperationException if this tokenizer does not track offsets
   */
  default TokenSpans encodeSpans(String text) {
    throw new UnsupportedOperationException(
        "the tokenizer " + getClass().getSimpleName() + " does not give token offsets");
  }
}
