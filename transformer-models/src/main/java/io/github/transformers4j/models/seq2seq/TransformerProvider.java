package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/** The encoder-decoder Transformer as the architecture {@code transformer}. */
public final class TransformerProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return EncoderDecoderModel.ARCHITECTURE;
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new EncoderDecoderModel(ops, EncoderDecoderConfig.fromMap(config));
  }
}
