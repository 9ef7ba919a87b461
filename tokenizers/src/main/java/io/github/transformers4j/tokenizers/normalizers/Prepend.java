package io.github.transformers4j.tokenizers.normalizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import java.util.Map;

/**
 * Puts {@code prepend} before non-empty text (mapped to its first char).
 *
 * @param prepend the prefix
 */
public record Prepend(String prepend) implements Normalizer {

  @Override
  public NormalizedString normalize(NormalizedString input) {
    if (input.length() == 0) {
      return input;
    }
    NormalizedString.Builder b = NormalizedString.builder(input.length() + prepend.length());
    b.append(prepend, input.originalStart(0), input.originalEnd(0));
    b.append(input, 0, input.length());
    return b.build();
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("Prepend", "prepend", prepend);
  }
}
