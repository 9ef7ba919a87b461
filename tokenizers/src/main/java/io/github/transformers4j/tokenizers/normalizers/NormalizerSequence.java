package io.github.transformers4j.tokenizers.normalizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Normalizers applied one after the other.
 *
 * @param normalizers the steps, in order
 */
public record NormalizerSequence(List<Normalizer> normalizers) implements Normalizer {

  /** Copies the list. */
  public NormalizerSequence {
    normalizers = List.copyOf(normalizers);
  }

  @Override
  public NormalizedString normalize(NormalizedString input) {
    NormalizedString s = input;
    for (Normalizer n : normalizers) {
      s = n.normalize(s);
    }
    return s;
  }

  @Override
  public Map<String, Object> toJson() {
    List<Object> list = new ArrayList<>();
    for (Normalizer n : normalizers) {
      list.add(n.toJson());
    }
    return Json.type("Sequence", "normalizers", list);
  }
}
