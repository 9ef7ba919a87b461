package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/** The recurrent LM as the architecture {@value RecurrentLm#ARCHITECTURE}. */
public final class RecurrentLmProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return RecurrentLm.ARCHITECTURE;
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new RecurrentLm(ops, RecurrentLmConfig.fromMap(config));
  }
}
