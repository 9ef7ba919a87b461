package io.github.transformers4j.clip.training;

import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.spi.ObjectiveProvider;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code contrastive}: {@link Contrastive}, found by {@link java.util.ServiceLoader}. Option {@code
 * max_scale}: the cap on exp(logit_scale) (default 100).
 */
public final class ContrastiveProvider implements ObjectiveProvider {
  @Override
  public String name() {
    return Contrastive.NAME;
  }

  @Override
  public Set<String> options() {
    return Set.of("max_scale");
  }

  @Override
  public Objective create(Map<String, String> options, SpecialTokens specials, int vocabSize) {
    TreeSet<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(options());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "objective 'contrastive': unknown parameters " + unknown + " (known: " + new TreeSet<>(options()) + ")");
    }
    String v = options.get("max_scale");
    if (v == null) {
      return new Contrastive();
    }
    try {
      return new Contrastive(Double.parseDouble(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "objective 'contrastive': parameter max_scale must be a number, got '" + v + "'");
    }
  }
}
