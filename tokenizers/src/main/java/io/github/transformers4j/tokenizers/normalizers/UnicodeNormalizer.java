package io.github.transformers4j.tokenizers.normalizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import java.util.Map;

/**
 * NFC, NFD, NFKC or NFKD. The text is normalized one segment (a starter and the marks after it) at
 * a time, so every output char maps back to the segment it came from.
 */
public final class UnicodeNormalizer implements Normalizer {
  private final java.text.Normalizer.Form form;

  /** A normalizer to {@code form}. */
  public UnicodeNormalizer(java.text.Normalizer.Form form) {
    this.form = form;
  }

  /** The form. */
  public java.text.Normalizer.Form form() {
    return form;
  }

  @Override
  public NormalizedString normalize(NormalizedString input) {
    return apply(input, form);
  }

  /** Normalizes {@code input} to {@code form}, segment by segment. */
  public static NormalizedString apply(NormalizedString input, java.text.Normalizer.Form form) {
    String text = input.text();
    if (java.text.Normalizer.isNormalized(text, form)) {
      return input;
    }
    int n = text.length();
    NormalizedString.Builder b = NormalizedString.builder(n + 8);
    int i = 0;
    while (i < n) {
      int j = i + Character.charCount(text.codePointAt(i));
      while (j < n && !isStarter(text.codePointAt(j))) {
        j += Character.charCount(text.codePointAt(j));
      }
      String seg = text.substring(i, j);
      String norm = java.text.Normalizer.normalize(seg, form);
      if (norm.equals(seg)) {
        b.append(input, i, j);
      } else {
        b.append(norm, input.originalStart(i), input.originalEnd(j - 1));
      }
      i = j;
    }
    return b.build();
  }

  private static boolean isStarter(int c) {
    if (c < 0x300) {
      return true;
    }
    int t = Character.getType(c);
    if (t == Character.NON_SPACING_MARK
        || t == Character.ENCLOSING_MARK
        || t == Character.COMBINING_SPACING_MARK) {
      return false;
    }
    // Hangul vowel and final jamo compose with the syllable or jamo before them.
    return !((c >= 0x1160 && c <= 0x11FF) || (c >= 0xD7B0 && c <= 0xD7FF));
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type(form.name());
  }
}
