package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/**
 * BERT as the architecture {@code bert}: the head {@code architectures[0]} names ({@code
 * BertForMaskedLM}, ...), else the encoder with pooler (see {@link EncoderArchitectures}).
 */
public final class BertProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return BertModel.ARCHITECTURE;
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return EncoderArchitectures.create(ops, config, BertModel.ARCHITECTURE);
  }
}
