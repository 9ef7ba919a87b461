package io.github.transformers4j.models.gpt;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/** GPT-2 as the architecture {@code gpt2}, built from a Hugging Face {@code config.json} map. */
public final class Gpt2Provider implements ArchitectureProvider {
  @Override
  public String name() {
    return Gpt2Model.ARCHITECTURE;
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new Gpt2Model(ops, Gpt2Config.fromMap(config));
  }
}
