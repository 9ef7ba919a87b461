package io.github.transformers4j.tokenizers;

import java.util.Map;

/**
 * The third pipeline step: turns one pre-tokenized piece into vocabulary ids (BPE, WordPiece,
 * Unigram, character level).
 */
public interface TokenModel {

  /**
   * Token ids must be below this: 2^24 = 16,777,216, 64 times the largest published vocabulary
   * (about 256 k). An id is an index into arrays sized by the largest id, so a file giving an id of
   * 2^31 - 1 would otherwise allocate gigabytes (or fail with a negative array size).
   */
  int MAX_ID = 1 << 24;

  /** Appends the tokens of {@code piece} to {@code out}, with their original ranges. */
  void tokenize(NormalizedString piece, TokenBuffer out);

  /** The id of {@code token}, or -1 if it is not in the vocabulary. */
  int tokenToId(String token);

  /** The token of {@code id}, or null if there is none. */
  String idToToken(int id);

  /** The number of ids (the largest id plus one). */
  int vocabSize();

  /** This model as a Hugging Face {@code tokenizer.json} object (its {@code "type"} first). */
  Map<String, Object> toJson();
}
