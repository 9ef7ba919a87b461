package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/**
 * RoBERTa as the architecture {@code roberta}: the head {@code architectures[0]} names, else the bare
 * encoder (see {@link EncoderArchitectures}).
 */
public final class RobertaProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return "roberta";
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return EncoderArchitectures.create(ops, config, "roberta");
  }
}
