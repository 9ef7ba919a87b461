package io.github.transformers4j.tokenizers.pretokenizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.PreTokenizer;
import java.util.List;
import java.util.Map;

/**
 * Isolates runs of digits, or each digit when {@code individualDigits}.
 *
 * @param individualDigits one piece per digit
 */
public record Digits(boolean individualDigits) implements PreTokenizer {

  @Override
  public void split(NormalizedString input, List<NormalizedString> out) {
    String t = input.text();
    int n = t.length();
    int start = 0;
    int i = 0;
    while (i < n) {
      int c = t.codePointAt(i);
      int k = Character.charCount(c);
      if (Character.isDigit(c)) {
        if (i > start) {
          out.add(input.slice(start, i));
        }
        int j = i + k;
        if (!individualDigits) {
          while (j < n && Character.isDigit(t.codePointAt(j))) {
            j += Character.charCount(t.codePointAt(j));
          }
        }
        out.add(input.slice(i, j));
        start = j;
        i = j;
        continue;
      }
      i += k;
    }
    if (n > start) {
      out.add(input.slice(start, n));
    }
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("Digits", "individual_digits", individualDigits);
  }
}
