package io.github.transformers4j.tokenizers.models;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.TokenBuffer;
import io.github.transformers4j.tokenizers.TokenModel;
import java.util.Map;

/**
 * BERT's WordPiece: greedy longest match from the start of the word, later pieces carrying the
 * continuing-subword prefix ({@code ##}); a word with an unmatched remainder, or longer than {@code
 * maxInputCharsPerWord} chars, is the unknown token as a whole. Matching walks two char tries
 * (word starts, continuations) instead of building substrings.
 */
public final class WordPiece implements TokenModel {
  /** BERT's default maximum word length, in chars. */
  public static final int DEFAULT_MAX_INPUT_CHARS_PER_WORD = 100;

  private final Vocabulary vocab;
  private final String unkToken;
  private final int unkId;
  private final String prefix;
  private final int maxInputCharsPerWord;
  private final CharTrie starts;
  private final CharTrie continuations;

  /**
   * A WordPiece model.
   *
   * @param vocab token → id
   * @param unkToken the unknown token, which must be in the vocabulary
   * @param continuingSubwordPrefix the prefix of non-initial pieces ({@code ##})
   * @param maxInputCharsPerWord words longer than this (in chars) are unknown
   */
  public WordPiece(
      Map<String, Integer> vocab,
      String unkToken,
      String continuingSubwordPrefix,
      int maxInputCharsPerWord) {
    this.vocab = new Vocabulary(vocab);
    this.unkToken = unkToken;
    this.unkId = this.vocab.id(unkToken);
    if (unkId < 0) {
      throw new IllegalArgumentException(
          "WordPiece unknown token '" + unkToken + "' is not in the vocabulary of " + vocab.size());
    }
    this.prefix = continuingSubwordPrefix;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
    this.starts = new CharTrie(vocab, null);
    this.continuations = new CharTrie(vocab, prefix);
  }

  /** BERT's settings: {@code [UNK]}, {@code ##}, 100 chars. */
  public static WordPiece bert(Map<String, Integer> vocab) {
    return new WordPiece(vocab, "[UNK]", "##", DEFAULT_MAX_INPUT_CHARS_PER_WORD);
  }

  @Override
  public void tokenize(NormalizedString piece, TokenBuffer out) {
    String w = piece.text();
    int n = w.length();
    if (w.codePointCount(0, n) > maxInputCharsPerWord) {
      out.add(unkId, unkToken, piece, 0, n);
      return;
    }
    int mark = out.size();
    int start = 0;
    while (start < n) {
      long m = (start == 0 ? starts : continuations).longest(w, start, n);
      if (m < 0) {
        out.truncate(mark); // the word is unknown as a whole
        out.add(unkId, unkToken, piece, 0, n);
        return;
      }
      int end = (int) (m >>> 32);
      int id = (int) m;
      out.add(id, vocab.token(id), piece, start, end);
      start = end;
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

  /** The unknown token. */
  public String unkToken() {
    return unkToken;
  }

  /** The continuing-subword prefix. */
  public String continuingSubwordPrefix() {
    return prefix;
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type(
        "WordPiece",
        "unk_token", unkToken,
        "continuing_subword_prefix", prefix,
        "max_input_chars_per_word", maxInputCharsPerWord,
        "vocab", vocab.ordered());
  }
}
