package io.github.transformers4j.models.t5;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/**
 * mT5 as the architecture {@code mt5}: T5 v1.1's shape (gated GELU, untied head) under its own
 * {@code model_type}, built from a Hugging Face {@code config.json} map.
 */
public final class MT5Provider implements ArchitectureProvider {
  @Override
  public String name() {
    return "mt5";
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    T5Config c = T5Config.fromMap(config);
    if (!c.modelType().equals(name())) {
      throw new IllegalArgumentException(
          "config 'mt5': model_type is '" + c.modelType() + "', expected 'mt5'");
    }
    return new T5ForConditionalGeneration(ops, c);
  }
}
