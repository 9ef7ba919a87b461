package io.github.transformers4j.tokenizers;

import java.util.Arrays;

/**
 * A piece of text as the pipeline sees it, with the map from each of its chars back to the range
 * of the original input that produced it, so every token's offsets refer to the original text.
 *
 * <p>Offsets are UTF-16 indices into the original {@code String} (what {@link String#substring}
 * takes). The common case, text that no step has changed, stores no map at all: char {@code i}
 * came from original char {@code base + i}.
 */
public final class NormalizedString {
  private final String text;
  private final int base;
  private final int[] starts; // null: identity with base
  private final int[] ends;

  private NormalizedString(String text, int base, int[] starts, int[] ends) {
    this.text = text;
    this.base = base;
    this.starts = starts;
    this.ends = ends;
  }

  /** The original text itself, unchanged. */
  public static NormalizedString of(String original) {
    return new NormalizedString(original, 0, null, null);
  }

  /** A text that sits unchanged at {@code base} in the original. */
  public static NormalizedString identity(String text, int base) {
    return new NormalizedString(text, base, null, null);
  }

  /** A text whose char {@code i} came from the original range {@code [starts[i], ends[i])}. */
  public static NormalizedString aligned(String text, int[] starts, int[] ends) {
    if (starts.length != text.length() || ends.length != text.length()) {
      throw new IllegalArgumentException(
          "alignment of " + starts.length + "/" + ends.length + " entries for " + text.length()
              + " chars");
    }
    return new NormalizedString(text, 0, starts, ends);
  }

  /** The text the next pipeline step sees. */
  public String text() {
    return text;
  }

  /** Its length in chars. */
  public int length() {
    return text.length();
  }

  /** Whether no step changed this text (its offsets are {@code base + i}). */
  public boolean isIdentity() {
    return starts == null;
  }

  /** Where char {@code i} starts in the original text. */
  public int originalStart(int i) {
    return starts == null ? base + i : starts[i];
  }

  /** Where char {@code i} ends (exclusive) in the original text. */
  public int originalEnd(int i) {
    return ends == null ? base + i + 1 : ends[i];
  }

  /**
   * The original range {@code [start, end)} of the chars {@code [from, to)}; an empty range maps to
   * the empty range where it sits.
   */
  public long originalRange(int from, int to) {
    if (from >= to) {
      int at = from < text.length() ? originalStart(from) : (text.isEmpty() ? base : originalEnd(text.length() - 1));
      return pack(at, at);
    }
    return pack(originalStart(from), originalEnd(to - 1));
  }

  /** Packs a range as {@code start << 32 | end}. */
  public static long pack(int start, int end) {
    return ((long) start << 32) | (end & 0xffffffffL);
  }

  /** The start of a packed range. */
  public static int start(long range) {
    return (int) (range >>> 32);
  }

  /** The end of a packed range. */
  public static int end(long range) {
    return (int) range;
  }

  /** The chars {@code [from, to)} with their alignment. */
  public NormalizedString slice(int from, int to) {
    if (from == 0 && to == text.length()) {
      return this;
    }
    String sub = text.substring(from, to);
    if (starts == null) {
      return new NormalizedString(sub, base + from, null, null);
    }
    return new NormalizedString(
        sub, 0, Arrays.copyOfRange(starts, from, to), Arrays.copyOfRange(ends, from, to));
  }

  /** A builder that appends chars with their original ranges. */
  public static Builder builder(int capacity) {
    return new Builder(capacity);
  }

  @Override
  public String toString() {
    return text;
  }

  /** Builds a {@link NormalizedString} char by char; stays map-free while the text is unchanged. */
  public static final class Builder {
    private final StringBuilder sb;
    private int[] starts;
    private int[] ends;
    private int identityBase = -1; // -1: empty so far; -2: not identity
    private int n;

    Builder(int capacity) {
      sb = new StringBuilder(capacity);
      starts = new int[Math.max(capacity, 4)];
      ends = new int[starts.length];
    }

    /** Appends one char that came from the original range {@code [start, end)}. */
    public Builder append(char c, int start, int end) {
      if (n == starts.length) {
        starts = Arrays.copyOf(starts, n * 2);
        ends = Arrays.copyOf(ends, n * 2);
      }
      sb.append(c);
      starts[n] = start;
      ends[n] = end;
      if (identityBase == -1) {
        identityBase = end == start + 1 ? start : -2;
      } else if (identityBase >= 0 && (start != identityBase + n || end != start + 1)) {
        identityBase = -2;
      }
      n++;
      return this;
    }

    /** Appends every char of {@code s}, all from the original range {@code [start, end)}. */
    public Builder append(CharSequence s, int start, int end) {
      for (int i = 0; i < s.length(); i++) {
        append(s.charAt(i), start, end);
      }
      return this;
    }

    /** Appends chars {@code [from, to)} of {@code src} with their own alignment. */
    public Builder append(NormalizedString src, int from, int to) {
      for (int i = from; i < to; i++) {
        append(src.text.charAt(i), src.originalStart(i), src.originalEnd(i));
      }
      return this;
    }

    /** Chars appended so far. */
    public int length() {
      return n;
    }

    /** The text built. */
    public NormalizedString build() {
      String text = sb.toString();
      if (n == 0) {
        return new NormalizedString(text, 0, null, null);
      }
      if (identityBase >= 0) {
        return new NormalizedString(text, identityBase, null, null);
      }
      return new NormalizedString(text, 0, Arrays.copyOf(starts, n), Arrays.copyOf(ends, n));
    }
  }
}
