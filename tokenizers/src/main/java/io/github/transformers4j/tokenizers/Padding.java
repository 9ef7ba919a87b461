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

  /** Validates the settings. */
  public Padding {
    if (fixedLength < 0 || multipleOf < 0) {
      throw new IllegalArgumentException(
          "padding length " + fixedLength + " and multiple " + multipleOf + " must be >= 0");
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
