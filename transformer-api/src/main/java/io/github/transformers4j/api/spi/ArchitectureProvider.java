package io.github.transformers4j.api.spi;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import java.util.Map;

/**
 * An architecture ({@code gpt2}, {@code bert}, {@code transformer}) as a named plugin: builds a
 * model from a configuration. The name is the Hugging Face {@code model_type} where one exists.
 *
 * <p>The configuration is a JSON object as plain Java values (String, Number, Boolean, null, List,
 * Map): a parsed {@code config.json}, so this contract needs no JSON library.
 */
public interface ArchitectureProvider extends NamedProvider {

  /**
   * A model with freshly initialized parameters (seeded from the configuration's {@code seed}, or
   * 0) on {@code ops}' backend.
   *
   * @throws IllegalArgumentException naming the configuration field that is missing, malformed or
   *     unsupported
   */
  Model create(Ops ops, Map<String, ?> config);
}
