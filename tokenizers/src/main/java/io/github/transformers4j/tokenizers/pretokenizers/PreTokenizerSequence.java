package io.github.transformers4j.tokenizers.pretokenizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.PreTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pre-tokenizers applied one after the other, each to every piece of the one before.
 *
 * @param steps the steps, in order
 */
public record PreTokenizerSequence(List<PreTokenizer> steps) implements PreTokenizer {

  /** Copies the list. */
  public PreTokenizerSequence {
    steps = List.copyOf(steps);
  }

  @Override
  public void split(NormalizedString input, List<NormalizedString> out) {
    List<NormalizedString> current = List.of(input);
    for (int k = 0; k < steps.size(); k++) {
      List<NormalizedString> next = k == steps.size() - 1 ? out : new ArrayList<>();
      for (NormalizedString s : current) {
        steps.get(k).split(s, next);
      }
      current = next;
    }
  }

  @Override
  public Map<String, Object> toJson() {
    List<Object> list = new ArrayList<>();
    for (PreTokenizer p : steps) {
      list.add(p.toJson());
    }
    return Json.type("Sequence", "pretokenizers", list);
  }
}
