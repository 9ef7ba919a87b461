package io.github.transformers4j.tokenizers;

/**
 * How encodings are cut to a maximum length, special tokens included, as Hugging Face tokenizers
 * does.
 *
 * @param maxLength the most tokens an encoding keeps, special tokens included
 * @param strategy which sequence of a pair loses tokens
 * @param stride tokens shared by consecutive overflowing windows
 * @param fromLeft whether tokens are cut at the start instead of the end
 */
public record Truncation(int maxLength, Strategy strategy, int stride, boolean fromLeft) {

  /** Which sequence of a pair is cut. */
  public enum Strategy {
    /** Cut the longer one first, token by token, until both fit. */
    LONGEST_FIRST,
    /** Cut only the first sequence. */
    ONLY_FIRST,
    /** Cut only the second sequence. */
    ONLY_SECOND
  }

  /** Validates the settings. */
  public Truncation {
    if (maxLength < 0) {
      throw new IllegalArgumentException("truncation max length must be >= 0, got " + maxLength);
    }
    if (stride < 0) {
      throw new IllegalArgumentException("truncation stride must be >= 0, got " + stride);
    }
    if (strategy == null) {
      throw new IllegalArgumentException("truncation strategy is null");
    }
  }

  /** Longest-first to {@code maxLength}, no stride, cutting at the end. */
  public static Truncation longestFirst(int maxLength) {
    return new Truncation(maxLength, Strategy.LONGEST_FIRST, 0, false);
  }
}
