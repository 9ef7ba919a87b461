package io.github.transformers4j.tokenizers;

/**
 * GPT-2's map from bytes to printable chars ({@code bytes_to_unicode}): printable Latin-1 bytes map
 * to themselves, the other 68 to U+0100 onwards (space is Ġ, newline Ċ), so every byte string is
 * a string of visible chars.
 */
public final class ByteLevelAlphabet {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[324];
  private static final char[] ORDER = new char[256];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int k = 0;
    boolean[] printable = new boolean[256];
    for (int b = 0; b < 256; b++) {
      printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      if (printable[b]) {
        ORDER[k++] = (char) b;
        BYTE_TO_CHAR[b] = (char) b;
      }
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (!printable[b]) {
        BYTE_TO_CHAR[b] = (char) (256 + n++);
        ORDER[k++] = BYTE_TO_CHAR[b];
      }
    }
    for (int b = 0; b < 256; b++) {
      CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
    }
  }

  private ByteLevelAlphabet() {}

  /** The char that stands for byte {@code b} (0..255). */
  public static char charOf(int b) {
    return BYTE_TO_CHAR[b & 0xff];
  }

  /** The byte that {@code c} stands for, or -1 if {@code c} is not in the alphabet. */
  public static int byteOf(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /** The 256 chars in GPT-2's order (printable bytes first), the first ids of its vocabulary. */
  public static char[] order() {
    return ORDER.clone();
  }

  /** The byte-level form of {@code s} (its UTF-8 bytes as alphabet chars). */
  public static String encode(String s) {
    byte[] b = utf8(s);
    char[] c = new char[b.length];
    for (int i = 0; i < b.length; i++) {
      c[i] = BYTE_TO_CHAR[b[i] & 0xff];
    }
    return new String(c);
  }

  /**
   * UTF-8 bytes of {@code s}; a lone surrogate (which UTF-8 cannot hold) becomes U+FFFD's bytes,
   * as Rust strings, which cannot hold one, would have it.
   */
  public static byte[] utf8(String s) {
    byte[] out = new byte[s.length() * 3];
    int n = 0;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      n += utf8(c, out, n);
      i += Character.charCount(c);
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** Appends the UTF-8 bytes of code point {@code c} (lone surrogates as U+FFFD) to {@code out}. */
  public static int utf8(int c, byte[] out, int at) {
    if (c < 0x80) {
      out[at] = (byte) c;
      return 1;
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    if (c < 0x800) {
      out[at] = (byte) (0xC0 | (c >> 6));
      out[at + 1] = (byte) (0x80 | (c & 0x3F));
      return 2;
    }
    if (c < 0x10000) {
      out[at] = (byte) (0xE0 | (c >> 12));
      out[at + 1] = (byte) (0x80 | ((c >> 6) & 0x3F));
      out[at + 2] = (byte) (0x80 | (c & 0x3F));
      return 3;
    }
    out[at] = (byte) (0xF0 | (c >> 18));
    out[at + 1] = (byte) (0x80 | ((c >> 12) & 0x3F));
    out[at + 2] = (byte) (0x80 | ((c >> 6) & 0x3F));
    out[at + 3] = (byte) (0x80 | (c & 0x3F));
    return 4;
  }
}
