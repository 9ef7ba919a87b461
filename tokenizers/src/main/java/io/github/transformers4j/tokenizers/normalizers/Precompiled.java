package io.github.transformers4j.tokenizers.normalizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * SentencePiece's precompiled character map ({@code nmt_nfkc} and friends): a Darts double-array
 * trie over UTF-8 byte strings whose values point into a blob of NUL-terminated replacements. As
 * SentencePiece does, the longest match at each position is replaced; text without a match is
 * copied one char at a time.
 */
public final class Precompiled implements Normalizer {
  private final byte[] charsmap;
  private final int[] trie;
  private final byte[] normalized;

  /**
   * Parses a charsmap: a little-endian uint32 trie size in bytes, the trie units, then the
   * replacement strings.
   *
   * @throws IllegalArgumentException if the sizes do not fit the data
   */
  public Precompiled(byte[] charsmap) {
    this.charsmap = charsmap.clone();
    if (charsmap.length < 4) {
      throw new IllegalArgumentException(
          "precompiled charsmap of " + charsmap.length + " bytes has no trie size");
    }
    ByteBuffer bb = ByteBuffer.wrap(charsmap).order(ByteOrder.LITTLE_ENDIAN);
    int trieBytes = bb.getInt();
    if (trieBytes < 0 || trieBytes % 4 != 0 || 4 + (long) trieBytes > charsmap.length) {
      throw new IllegalArgumentException(
          "precompiled charsmap: trie size " + trieBytes + " does not fit its " + charsmap.length
              + " bytes");
    }
    trie = new int[trieBytes / 4];
    for (int i = 0; i < trie.length; i++) {
      trie[i] = bb.getInt();
    }
    normalized = new byte[charsmap.length - 4 - trieBytes];
    bb.get(normalized);
  }

  /** The raw charsmap bytes (a copy). */
  public byte[] charsmap() {
    return charsmap.clone();
  }

  /** The length in bytes of the longest match at {@code pos}, and its value, packed; 0 if none. */
  private long longestMatch(byte[] key, int pos) {
    int nodePos = 0;
    int unit = trie[0];
    nodePos ^= offset(unit);
    long best = 0;
    for (int i = pos; i < key.length; i++) {
      int c = key[i] & 0xff;
      if (c == 0) {
        break;
      }
      nodePos ^= c;
      if (nodePos < 0 || nodePos >= trie.length) {
        break;
      }
      unit = trie[nodePos];
      if ((unit & (0x80000000 | 0xff)) != c) {
        break;
      }
      nodePos ^= offset(unit);
      if (((unit >>> 8) & 1) == 1 && nodePos < trie.length) {
        int value = trie[nodePos] & 0x7fffffff;
        // A value outside the replacement blob (a damaged charsmap) is no match, not a crash.
        if (value < normalized.length) {
          best = ((long) (i + 1 - pos) << 32) | value;
        }
      }
    }
    return best;
  }

  private static int offset(int unit) {
    return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
  }

  private String replacement(int value) {
    int end = value;
    while (end < normalized.length && normalized[end] != 0) {
      end++;
    }
    return new String(normalized, value, end - value, StandardCharsets.UTF_8);
  }

  @Override
  public NormalizedString normalize(NormalizedString input) {
    if (trie.length == 0) {
      return input;
    }
    String text = input.text();
    int n = text.length();
    // UTF-8 bytes of the text and, for each byte, the char it belongs to.
    byte[] bytes = new byte[n * 3];
    int[] byteToChar = new int[n * 3 + 1];
    int nb = 0;
    int[] charToByte = new int[n + 1];
    for (int i = 0; i < n; ) {
      int c = text.codePointAt(i);
      int k = Character.charCount(c);
      if (k == 1 && Character.isSurrogate((char) c)) {
        c = 0xFFFD;
      }
      byte[] enc = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8);
      if (nb + enc.length > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2 + 8);
        byteToChar = java.util.Arrays.copyOf(byteToChar, bytes.length + 1);
      }
      for (int j = 0; j < k; j++) {
        charToByte[i + j] = nb;
      }
      for (byte x : enc) {
        byteToChar[nb] = i;
        bytes[nb++] = x;
      }
      i += k;
    }
    charToByte[n] = nb;
    byteToChar[nb] = n;
    byte[] key = java.util.Arrays.copyOf(bytes, nb);
    NormalizedString.Builder b = NormalizedString.builder(n + 8);
    boolean changed = false;
    int p = 0;
    while (p < nb) {
      int ci = byteToChar[p];
      long m = longestMatch(key, p);
      int len = (int) (m >>> 32);
      int endChar = len > 0 ? byteToChar[p + len] : -1;
      if (len > 0 && charToByte[endChar] == p + len) {
        String rep = replacement((int) m);
        long r = input.originalRange(ci, endChar);
        if (!rep.equals(text.substring(ci, endChar))) {
          changed = true;
        }
        b.append(rep, NormalizedString.start(r), NormalizedString.end(r));
        p += len;
      } else {
        int k = Character.charCount(text.codePointAt(ci));
        b.append(input, ci, ci + k);
        p = charToByte[ci + k];
      }
    }
    return changed ? b.build() : input;
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("Precompiled", "precompiled_charsmap", Base64.getEncoder().encodeToString(charsmap));
  }
}
