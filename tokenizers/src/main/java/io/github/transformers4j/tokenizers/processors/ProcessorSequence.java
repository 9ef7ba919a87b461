package io.github.transformers4j.tokenizers.processors;

import io.github.transformers4j.tokenizers.Encoding;
import io.github.transformers4j.tokenizers.PostProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Post-processors applied in order (Llama-style: byte-level trimming, then a template). The first
 * step joins a pair; the later ones see the joined encoding.
 *
 * @param steps the steps
 */
public record ProcessorSequence(List<PostProcessor> steps) implements PostProcessor {

  /** Copies the list. */
  public ProcessorSequence {
    steps = List.copyOf(steps);
  }

  @Override
  public int addedTokens(boolean pair) {
    int n = 0;
    for (PostProcessor p : steps) {
      n += p.addedTokens(pair);
    }
    return n;
  }

  @Override
  public Encoding process(Encoding first, Encoding second, boolean addSpecialTokens) {
    Encoding e = first;
    Encoding b = second;
    for (PostProcessor p : steps) {
      e = p.process(e, b, addSpecialTokens);
      b = null;
    }
    return e;
  }

  @Override
  public Map<String, Object> toJson() {
    List<Object> list = new ArrayList<>();
    for (PostProcessor p : steps) {
      list.add(p.toJson());
    }
    return Json.type("Sequence", "processors", list);
  }
}
