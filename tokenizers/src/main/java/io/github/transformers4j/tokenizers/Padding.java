package io.github.transformers4j.tokenizers;

/**
 * How encodings of a batch are padded: to the longest, or to a fixed length, optionally rounded up
 * to a multiple; on the right or the left.
 *
 * @param fixedLength the length to pad to, or 0 to pad to the longest of the batch
 * @param multipleOf round the length up to a multiple of this, or 0
 * @param fromLeft whether padding goes before the tokens
 * @param padId the pad token's id
 * @param padToken the pad token's string
 * @param padTypeId the type id of padding
 */
public record Padding(
    int fixedLength, int multipleOf, boolean fromLeft, int padId, String padToken, int padTypeId) {

  /**
   * The longest fixed padding length and multiple: 2^20 = 1,048,576 tokens, far beyond any model's
   * positions; every encoding is padded to it, so a file's {@code Fixed: 2000000000} would
   * otherwise allocate gigabytes per text.
   */
  public static final int MAX_LENGTH = 1 << 20;

  /** Validates the settings. */
  public Padding {
    if (fixedLength < 0 || multipleOf < 0 || fixedLength > MAX_LENGTH || multipleOf > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "padding length " + fixedLength + " and multiple " + multipleOf + " must be in [0, "
              + MAX_LENGTH + "]");
    }
    if (padToken == null) {
      throw new IllegalArgumentException("pad token is null");
    }
  }

  /** Pads on the right to the longest encoding of the batch. */
  public static Padding longest(int padId, String padToken) {
    return new Padding(0, 0, false, padId, padToken, 0);
  }

  /** The length {@code n} tokens are padded to, given the batch's longest. */
  public int target(int longest) {
    int len = fixedLength > 0 ? fixedLength : longest;
    if (multipleOf > 0 && len % multipleOf != 0) {
      len += multipleOf - len % multipleOf;
    }
    return len;
  }
}
