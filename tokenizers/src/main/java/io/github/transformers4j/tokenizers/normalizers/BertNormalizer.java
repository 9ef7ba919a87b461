package io.github.transformers4j.tokenizers.normalizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import io.github.transformers4j.tokenizers.Unicode;
import java.util.Map;

/**
 * BERT's normalizer, in Hugging Face's order: clean text (drop NUL, U+FFFD and control chars, turn
 * whitespace into spaces), put spaces around CJK ideographs, strip accents (NFD, then drop marks)
 * and lowercase.
 *
 * @param cleanText drop control chars and map whitespace to spaces
 * @param handleChineseChars put spaces around CJK ideographs
 * @param stripAccents strip accents; null: when {@code lowercase}, as BERT does
 * @param lowercase lowercase
 */
public record BertNormalizer(
    boolean cleanText, boolean handleChineseChars, Boolean stripAccents, boolean lowercase)
    implements Normalizer {

  /** The uncased BERT settings: everything on. */
  public static BertNormalizer uncased() {
    return new BertNormalizer(true, true, null, true);
  }

  @Override
  public NormalizedString normalize(NormalizedString input) {
    NormalizedString s = input;
    if (cleanText || handleChineseChars) {
      s = cleanAndSpace(s);
    }
    if (stripAccents == null ? lowercase : stripAccents) {
      s = StripAccents.apply(UnicodeNormalizer.apply(s, java.text.Normalizer.Form.NFD));
    }
    if (lowercase) {
      s = Lowercase.apply(s);
    }
    return s;
  }

  private NormalizedString cleanAndSpace(NormalizedString input) {
    String text = input.text();
    int n = text.length();
    boolean change = false;
    for (int i = 0; i < n && !change; ) {
      int c = text.codePointAt(i);
      change = changes(c);
      i += Character.charCount(c);
    }
    if (!change) {
      return input;
    }
    NormalizedString.Builder b = NormalizedString.builder(n + 8);
    for (int i = 0; i < n; ) {
      int c = text.codePointAt(i);
      int k = Character.charCount(c);
      int s = input.originalStart(i);
      int e = input.originalEnd(i + k - 1);
      if (cleanText && (c == 0 || c == 0xFFFD || Unicode.isBertControl(c))) {
        // dropped
      } else if (cleanText && Unicode.isWhiteSpace(c)) {
        b.append(' ', s, e);
      } else if (handleChineseChars && Unicode.isCjk(c)) {
        b.append(' ', s, e);
        b.append(input, i, i + k);
        b.append(' ', s, e);
      } else {
        b.append(input, i, i + k);
      }
      i += k;
    }
    return b.build();
  }

  private boolean changes(int c) {
    if (cleanText) {
      if (c == 0 || c == 0xFFFD || (c != ' ' && Unicode.isWhiteSpace(c))) {
        return true;
      }
      if ((c < 0x20 || c >= 0x7f) && Unicode.isBertControl(c)) {
        return true;
      }
    }
    return handleChineseChars && Unicode.isCjk(c);
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type(
        "BertNormalizer",
        "clean_text", cleanText,
        "handle_chinese_chars", handleChineseChars,
        "strip_accents", stripAccents,
        "lowercase", lowercase);
  }
}
