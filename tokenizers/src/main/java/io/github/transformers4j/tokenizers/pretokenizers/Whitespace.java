package io.github.transformers4j.tokenizers.pretokenizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.PreTokenizer;
import java.util.List;
import java.util.Map;

/** Hugging Face's {@code Whitespace}: the regex {@code \w+|[^\w\s]+}, whitespace dropped. */
public final class Whitespace implements PreTokenizer {
  private final Split split = Split.regex("\\w+|[^\\w\\s]+", Behavior.REMOVED, true);

  @Override
  public void split(NormalizedString input, List<NormalizedString> out) {
    split.split(input, out);
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("Whitespace");
  }
}
