package io.github.transformers4j.tokenizers;

import java.util.Map;

/**
 * The third pipeline step: turns one pre-tokenized piece into vocabulary ids (BPE, WordPiece,
 * Unigram, character level).
 */
public interface TokenModel {

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
