package io.github.transformers4j.tokenizers.normalizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import java.util.Map;

/**
 * Lowercases char by char as Rust's {@code char::to_lowercase} does: no locale and no final-sigma
 * rule (Σ is always σ), İ becomes "i̇".
 */
public final class Lowercase implements Normalizer {

  @Override
  public NormalizedString normalize(NormalizedString input) {
    return apply(input);
  }

  /** Lowercases {@code input}. */
  public static NormalizedString apply(NormalizedString input) {
    String text = input.text();
    int n = text.length();
    int first = -1;
    for (int i = 0; i < n; ) {
      int c = text.codePointAt(i);
      if (c == 0x130 || Character.toLowerCase(c) != c) {
        first = i;
        break;
      }
      i += Character.charCount(c);
    }
    if (first < 0) {
      return input;
    }
    NormalizedString.Builder b = NormalizedString.builder(n + 4);
    b.append(input, 0, first);
    for (int i = first; i < n; ) {
      int c = text.codePointAt(i);
      int k = Character.charCount(c);
      int s = input.originalStart(i);
      int e = input.originalEnd(i + k - 1);
      if (c == 0x130) {
        b.append("i\u0307", s, e);
      } else {
        int l = Character.toLowerCase(c);
        if (l == c) {
          b.append(input, i, i + k);
        } else if (Character.isBmpCodePoint(l)) {
          b.append((char) l, s, e);
        } else {
          b.append(new String(Character.toChars(l)), s, e);
        }
      }
      i += k;
    }
    return b.build();
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("Lowercase");
  }
}
