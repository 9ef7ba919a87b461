package io.github.transformers4j.models.t5;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/** T5 as the architecture {@code t5}, built from a Hugging Face {@code config.json} map. */
public final class T5Provider implements ArchitectureProvider {
  @Override
  public String name() {
    return "t5";
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    T5Config c = T5Config.fromMap(config);
    if (!c.modelType().equals(name())) {
      throw new IllegalArgumentException(
          "config 't5': model_type is '" + c.modelType() + "', expected 't5'");
    }
    return new T5ForConditionalGeneration(ops, c);
  }
}
