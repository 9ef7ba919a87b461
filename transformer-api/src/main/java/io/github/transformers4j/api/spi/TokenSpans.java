package io.github.transformers4j.api.spi;

import java.util.Arrays;

/**
 * The tokens of one text with where each came from, for tasks that map token predictions back to
 * the text (named entities, extractive answers): per token its id, its char span {@code [start,
 * end)} in the original {@code String} (UTF-16 indices; special tokens have {@code (0, 0)}),
 * whether the tokenizer's template added it (such as {@code [CLS]}, {@code </s>}), and its word
 * index (the piece of the text it is part of, from 0; -1 where unknown or for template tokens).
 *
 * <p>The arrays are copied in and out, so an instance cannot change.
 */
public record TokenSpans(int[] ids, int[] starts, int[] ends, boolean[] special, int[] wordIds) {

  /** Checks that the arrays are parallel and the spans ordered. */
  public TokenSpans {
    int n = ids.length;
    if (starts.length != n || ends.length != n || special.length != n || wordIds.length != n) {
      throw new IllegalArgumentException(
          "token spans: ids, starts, ends, special and wordIds differ in length ("
              + n + ", " + starts.length + ", " + ends.length + ", " + special.length + ", "
              + wordIds.length + ")");
    }
    for (int i = 0; i < n; i++) {
      if (starts[i] < 0 || ends[i] < starts[i]) {
        throw new IllegalArgumentException(
            "token spans: token " + i + " has span [" + starts[i] + ", " + ends[i] + ")");
      }
    }
    ids = ids.clone();
    starts = starts.clone();
    ends = ends.clone();
    special = special.clone();
    wordIds = wordIds.clone();
  }

  /** Number of tokens. */
  public int size() {
    return ids.length;
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  @Override
  public int[] starts() {
    return starts.clone();
  }

  @Override
  public int[] ends() {
    return ends.clone();
  }

  @Override
  public boolean[] special() {
    return special.clone();
  }

  @Override
  public int[] wordIds() {
    return wordIds.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenSpans t
        && Arrays.equals(ids, t.ids)
        && Arrays.equals(starts, t.starts)
        && Arrays.equals(ends, t.ends)
        && Arrays.equals(special, t.special)
        && Arrays.equals(wordIds, t.wordIds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids) * 31 + Arrays.hashCode(starts) * 7 + Arrays.hashCode(wordIds);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("TokenSpans[");
    for (int i = 0; i < ids.length; i++) {
      b.append(i == 0 ? "" : ", ").append(ids[i]).append('@').append(starts[i]).append('-')
          .append(ends[i]);
      if (special[i]) {
        b.append('*');
      }
    }
    return b.append(']').toString();
  }
}
