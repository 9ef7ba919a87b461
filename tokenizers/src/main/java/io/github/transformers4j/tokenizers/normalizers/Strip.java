package io.github.transformers4j.tokenizers.normalizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import io.github.transformers4j.tokenizers.Unicode;
import java.util.Map;

/**
 * Removes whitespace at the left and/or right end.
 *
 * @param left strip the start
 * @param right strip the end
 */
public record Strip(boolean left, boolean right) implements Normalizer {

  @Override
  public NormalizedString normalize(NormalizedString input) {
    String t = input.text();
    int s = 0;
    int e = t.length();
    if (left) {
      while (s < e && Unicode.isWhiteSpace(t.charAt(s))) {
        s++;
      }
    }
    if (right) {
      while (e > s && Unicode.isWhiteSpace(t.charAt(e - 1))) {
        e--;
      }
    }
    return input.slice(s, e);
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("Strip", "strip_left", left, "strip_right", right);
  }
}
