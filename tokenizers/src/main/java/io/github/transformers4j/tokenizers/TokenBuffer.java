package io.github.transformers4j.tokenizers;

import java.util.Arrays;

/**
 * Where a {@link TokenModel} writes its tokens: ids, token strings and original offsets in
 * growable arrays, so the hot loop allocates nothing per token.
 */
public final class TokenBuffer {
  int[] ids = new int[16];
  String[] tokens = new String[16];
  int[] starts = new int[16];
  int[] ends = new int[16];
  int[] words = new int[16];
  int size;
  private int word = -1;
  private int wordCount;

  /**
   * Starts a new word: the tokens added from now on carry the next word index (0, 1, ...), as
   * Hugging Face numbers the pieces of a pre-tokenized text.
   */
  public void startWord() {
    word = wordCount++;
  }

  /** Appends a token with its original range {@code [start, end)}. */
  public void add(int id, String token, int start, int end) {
    if (size == ids.length) {
      int n = size * 2;
      ids = Arrays.copyOf(ids, n);
      tokens = Arrays.copyOf(tokens, n);
      starts = Arrays.copyOf(starts, n);
      ends = Arrays.copyOf(ends, n);
      words = Arrays.copyOf(words, n);
    }
    ids[size] = id;
    tokens[size] = token;
    starts[size] = start;
    ends[size] = end;
    words[size] = word;
    size++;
  }

  /** Appends a token covering chars {@code [from, to)} of {@code piece}. */
  public void add(int id, String token, NormalizedString piece, int from, int to) {
    long r = piece.originalRange(from, to);
    add(id, token, NormalizedString.start(r), NormalizedString.end(r));
  }

  /** Number of tokens. */
  public int size() {
    return size;
  }

  /** The id of token {@code i}. */
  public int id(int i) {
    return ids[i];
  }

  /** The string of token {@code i}. */
  public String token(int i) {
    return tokens[i];
  }

  /** Forgets the tokens from {@code newSize} on. */
  public void truncate(int newSize) {
    if (newSize < 0 || newSize > size) {
      throw new IllegalArgumentException("cannot truncate " + size + " tokens to " + newSize);
    }
    size = newSize;
  }

  /** Forgets all tokens, keeping the arrays. */
  public void clear() {
    size = 0;
    word = -1;
    wordCount = 0;
  }
}
