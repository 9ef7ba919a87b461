package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/**
 * ELECTRA as the architecture {@code electra}: the head {@code architectures[0]} names, else the bare
 * encoder (see {@link EncoderArchitectures}).
 */
public final class ElectraProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return "electra";
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return EncoderArchitectures.create(ops, config, "electra");
  }
}
