package io.github.transformers4j.tokenizers.pretokenizers;

import io.github.transformers4j.tokenizers.ByteLevelAlphabet;
import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.PreTokenizer;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's pre-tokenizer: optionally a prefix space, then the split of GPT-2's regex
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, then each
 * piece rewritten as its UTF-8 bytes in {@link ByteLevelAlphabet}. The regex is a hand-written
 * scanner: no backtracking, no allocation but the pieces.
 *
 * @param addPrefixSpace put a space before text that does not start with one
 * @param trimOffsets kept for {@code tokenizer.json}; offsets are trimmed by the post-processor
 * @param useRegex split with GPT-2's regex (else only map to bytes)
 */
public record ByteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex)
    implements PreTokenizer {

  /** GPT-2's settings: no prefix space, regex on. */
  public static ByteLevel gpt2() {
    return new ByteLevel(false, true, true);
  }

  @Override
  public void split(NormalizedString input, List<NormalizedString> out) {
    NormalizedString s = input;
    if (addPrefixSpace && s.length() > 0 && s.text().charAt(0) != ' ') {
      NormalizedString.Builder b = NormalizedString.builder(s.length() + 1);
      b.append(' ', s.originalStart(0), s.originalStart(0));
      b.append(s, 0, s.length());
      s = b.build();
    }
    String text = s.text();
    int n = text.length();
    if (!useRegex) {
      if (n > 0) {
        out.add(toBytes(s, 0, n));
      }
      return;
    }
    int i = 0;
    while (i < n) {
      int j = nextEnd(text, i);
      out.add(toBytes(s, i, j));
      i = j;
    }
  }

  /** The end of GPT-2's regex match that starts at {@code i}. */
  public static int nextEnd(String s, int i) {
    int n = s.length();
    char c = s.charAt(i);
    if (c == '\'' && i + 1 < n) {
      char d = s.charAt(i + 1);
      if (d == 's' || d == 't' || d == 'm' || d == 'd') {
        return i + 2;
      }
      if (i + 2 < n) {
        char e = s.charAt(i + 2);
        if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) {
          return i + 3;
        }
      }
    }
    int start = i;
    int cp = s.codePointAt(i);
    if (cp == ' ' && i + 1 < n) {
      int next = s.codePointAt(i + 1);
      if (!isSpace(next)) {
        start = i + 1;
        cp = next;
      }
    }
    if (start > i || !isSpace(cp)) {
      int cls = classOf(cp);
      int j = start + Character.charCount(cp);
      while (j < n) {
        int d = s.codePointAt(j);
        if (classOf(d) != cls) {
          break;
        }
        j += Character.charCount(d);
      }
      return j;
    }
    // A run of whitespace: all of it at the end of the text, else all but its last char
    // (\s+(?!\S)), or the single char when the run is one char long (\s+).
    int j = i;
    int last = i;
    while (j < n) {
      int d = s.codePointAt(j);
      if (!isSpace(d)) {
        break;
      }
      last = j;
      j += Character.charCount(d);
    }
    if (j == n || last == i) {
      return j;
    }
    return last;
  }

  private static boolean isSpace(int c) {
    return io.github.transformers4j.tokenizers.Unicode.isWhiteSpace(c);
  }

  // 0: letter, 1: number, 2: other (not space); spaces never reach here.
  private static int classOf(int c) {
    if (c < 0x80) {
      if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
        return 0;
      }
      if (c >= '0' && c <= '9') {
        return 1;
      }
      return isSpace(c) ? 3 : 2;
    }
    if (io.github.transformers4j.tokenizers.Unicode.isLetter(c)) {
      return 0;
    }
    if (io.github.transformers4j.tokenizers.Unicode.isNumber(c)) {
      return 1;
    }
    return isSpace(c) ? 3 : 2;
  }

  /** Chars {@code [from, to)} of {@code s} as byte-level chars, each aligned to its source char. */
  static NormalizedString toBytes(NormalizedString s, int from, int to) {
    String text = s.text();
    boolean ascii = true;
    for (int i = from; i < to; i++) {
      if (text.charAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      char[] c = new char[to - from];
      for (int i = from; i < to; i++) {
        c[i - from] = ByteLevelAlphabet.charOf(text.charAt(i));
      }
      String mapped = new String(c);
      if (s.isIdentity()) {
        return NormalizedString.identity(mapped, s.originalStart(from));
      }
      int[] st = new int[c.length];
      int[] en = new int[c.length];
      for (int i = from; i < to; i++) {
        st[i - from] = s.originalStart(i);
        en[i - from] = s.originalEnd(i);
      }
      return NormalizedString.aligned(mapped, st, en);
    }
    byte[] buf = new byte[4];
    StringBuilder sb = new StringBuilder((to - from) * 2);
    int[] st = new int[(to - from) * 4];
    int[] en = new int[st.length];
    int k = 0;
    for (int i = from; i < to; ) {
      int cp = text.codePointAt(i);
      int len = Character.charCount(cp);
      int os = s.originalStart(i);
      int oe = s.originalEnd(i + len - 1);
      int nb = ByteLevelAlphabet.utf8(cp, buf, 0);
      for (int b = 0; b < nb; b++) {
        sb.append(ByteLevelAlphabet.charOf(buf[b]));
        st[k] = os;
        en[k] = oe;
        k++;
      }
      i += len;
    }
    return NormalizedString.aligned(
        sb.toString(), java.util.Arrays.copyOf(st, k), java.util.Arrays.copyOf(en, k));
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type(
        "ByteLevel",
        "add_prefix_space", addPrefixSpace,
        "trim_offsets", trimOffsets,
        "use_regex", useRegex);
  }
}
