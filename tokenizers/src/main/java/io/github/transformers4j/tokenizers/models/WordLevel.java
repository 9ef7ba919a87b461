package io.github.transformers4j.tokenizers.models;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.TokenBuffer;
import io.github.transformers4j.tokenizers.TokenModel;
import java.util.Map;

/**
 * Hugging Face's {@code WordLevel} model: each pre-tokenized piece is looked up whole, and a piece
 * outside the vocabulary is the unknown token (an error, as in Hugging Face, when the unknown token
 * is not in the vocabulary). With a pre-tokenizer that isolates every character ({@code Split} on
 * {@code [\s\S]}) it is a char-level vocabulary that Hugging Face tokenizers read, the form {@code
 * t4j train} writes its char tokenizers in.
 */
public final class WordLevel implements TokenModel {
  private final Vocabulary vocab;
  private final String unkToken;
  private final int unkId;

  /**
   * A word-level model.
   *
   * @param vocab token → id
   * @param unkToken the unknown token (Hugging Face's default is {@code <unk>})
   */
  public WordLevel(Map<String, Integer> vocab, String unkToken) {
    if (unkToken == null) {
      throw new IllegalArgumentException("WordLevel needs an unk_token");
    }
    this.vocab = new Vocabulary(vocab);
    this.unkToken = unkToken;
    this.unkId = this.vocab.id(unkToken);
  }

  @Override
  public void tokenize(NormalizedString piece, TokenBuffer out) {
    String s = piece.text();
    if (s.isEmpty()) {
      return;
    }
    int id = vocab.id(s);
    if (id < 0) {
      if (unkId < 0) {
        throw new IllegalArgumentException(
            "WordLevel: '" + s + "' is not in the vocabulary and the unknown token '" + unkToken
                + "' is missing from it");
      }
      id = unkId;
    }
    out.add(id, vocab.token(id), piece, 0, s.length());
  }

  @Override
  public int tokenToId(String token) {
    return vocab.id(token);
  }

  @Override
  public String idToToken(int id) {
    return vocab.token(id);
  }

  @Override
  public int vocabSize() {
    return vocab.size();
  }

  /** The vocabulary in id order. */
  public Map<String, Integer> vocab() {
    return vocab.ordered();
  }

  /** The unknown token. */
  public String unkToken() {
    return unkToken;
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("WordLevel", "vocab", vocab.ordered(), "unk_token", unkToken);
  }
}
