package io.github.transformers4j.tokenizers.normalizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import java.util.Map;

/** Removes non-spacing marks (category Mn); put NFD or NFKD before it to strip accents. */
public final class StripAccents implements Normalizer {

  @Override
  public NormalizedString normalize(NormalizedString input) {
    return apply(input);
  }

  /** Removes the Mn chars of {@code input}. */
  public static NormalizedString apply(NormalizedString input) {
    String text = input.text();
    int n = text.length();
    boolean any = false;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x300 && Character.getType(text.codePointAt(i)) == Character.NON_SPACING_MARK) {
        any = true;
        break;
      }
    }
    if (!any) {
      return input;
    }
    NormalizedString.Builder b = NormalizedString.builder(n);
    for (int i = 0; i < n; ) {
      int c = text.codePointAt(i);
      int k = Character.charCount(c);
      if (c < 0x300 || Character.getType(c) != Character.NON_SPACING_MARK) {
        b.append(input, i, i + k);
      }
      i += k;
    }
    return b.build();
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("StripAccents");
  }
}
