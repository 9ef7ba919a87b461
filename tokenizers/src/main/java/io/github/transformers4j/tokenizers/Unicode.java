package io.github.transformers4j.tokenizers;

/**
 * Unicode character classes as the reference tokenizers (Rust) define them, which Java's {@code
 * Character} methods do not always match: Rust's {@code is_whitespace} is the White_Space
 * property (it includes U+00A0 and U+202F, Java's {@code isWhitespace} does not).
 */
public final class Unicode {
  private Unicode() {}

  /** Unicode White_Space (Rust {@code char::is_whitespace}, regex {@code \s}). */
  public static boolean isWhiteSpace(int c) {
    if (c < 0x80) {
      return c == ' ' || (c >= 0x09 && c <= 0x0d);
    }
    return c == 0x85
        || c == 0xa0
        || c == 0x1680
        || (c >= 0x2000 && c <= 0x200a)
        || c == 0x2028
        || c == 0x2029
        || c == 0x202f
        || c == 0x205f
        || c == 0x3000;
  }

  /** General category L (regex {@code \p{L}}). */
  public static boolean isLetter(int c) {
    if (c < 0x80) {
      return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    }
    return Character.isLetter(c);
  }

  /** General category N (regex {@code \p{N}}): Nd, Nl and No. */
  public static boolean isNumber(int c) {
    if (c < 0x80) {
      return c >= '0' && c <= '9';
    }
    int t = Character.getType(c);
    return t == Character.DECIMAL_DIGIT_NUMBER
        || t == Character.LETTER_NUMBER
        || t == Character.OTHER_NUMBER;
  }

  /** General category P (any punctuation). */
  public static boolean isPunctuation(int c) {
    switch (Character.getType(c)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  /** BERT's punctuation: ASCII punctuation (which includes {@code $ + < = > ^ ` | ~}) or P. */
  public static boolean isBertPunctuation(int c) {
    if (c < 0x80) {
      return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96)
          || (c >= 123 && c <= 126);
    }
    return isPunctuation(c);
  }

  /** Categories C other than tab, newline, carriage return: Cc, Cf, Co, Cs, Cn (BERT's control). */
  public static boolean isBertControl(int c) {
    if (c == '\t' || c == '\n' || c == '\r') {
      return false;
    }
    switch (Character.getType(c)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.PRIVATE_USE:
      case Character.SURROGATE:
      case Character.UNASSIGNED:
        return true;
      default:
        return false;
    }
  }

  /** The CJK ideograph blocks BERT puts spaces around. */
  public static boolean isCjk(int c) {
    return (c >= 0x4E00 && c <= 0x9FFF)
        || (c >= 0x3400 && c <= 0x4DBF)
        || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F)
        || (c >= 0x2B740 && c <= 0x2B81F)
        || (c >= 0x2B920 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF)
        || (c >= 0x2F800 && c <= 0x2FA1F);
  }
}
