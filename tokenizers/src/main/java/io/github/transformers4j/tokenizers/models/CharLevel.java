package io.github.transformers4j.tokenizers.models;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.TokenBuffer;
import io.github.transformers4j.tokenizers.TokenModel;
import java.util.Map;

/**
 * Character level: one token per code point (nanoGPT's Shakespeare vocabulary); chars outside the
 * vocabulary are the unknown token, or an error when there is none. Saved to {@code
 * tokenizer.json} as type {@code "CharLevel"}, which only this library reads.
 */
public final class CharLevel implements TokenModel {
  private final Vocabulary vocab;
  private final String unkToken;
  private final int unkId;

  /**
   * A character-level model.
   *
   * @param vocab single code points → id
   * @param unkToken the unknown token, or null to reject unknown chars
   */
  public CharLevel(Map<String, Integer> vocab, String unkToken) {
    this.vocab = new Vocabulary(vocab);
    this.unkToken = unkToken;
    this.unkId = unkToken == null ? -1 : this.vocab.id(unkToken);
    if (unkToken != null && unkId < 0) {
      throw new IllegalArgumentException(
          "char-level unknown token '" + unkToken + "' is not in the vocabulary");
    }
  }

  /** The vocabulary of the distinct code points of {@code text}, in code point order. */
  public static CharLevel fromText(String text) {
    Map<String, Integer> v = new java.util.LinkedHashMap<>();
    text.codePoints()
        .distinct()
        .sorted()
        .forEach(c -> v.put(new String(Character.toChars(c)), v.size()));
    return new CharLevel(v, null);
  }

  @Override
  public void tokenize(NormalizedString piece, TokenBuffer out) {
    String s = piece.text();
    for (int i = 0; i < s.length(); ) {
      int k = Character.charCount(s.codePointAt(i));
      String c = s.substring(i, i + k);
      int id = vocab.id(c);
      if (id < 0) {
        if (unkId < 0) {
          throw new IllegalArgumentException(
              "char '" + c + "' (U+" + Integer.toHexString(s.codePointAt(i)).toUpperCase()
                  + ") is not in the character vocabulary and there is no unknown token");
        }
        id = unkId;
      }
      out.add(id, vocab.token(id), piece, i, i + k);
      i += k;
    }
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

  /** The unknown token, or null. */
  public String unkToken() {
    return unkToken;
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("CharLevel", "unk_token", unkToken, "vocab", vocab.ordered());
  }
}
