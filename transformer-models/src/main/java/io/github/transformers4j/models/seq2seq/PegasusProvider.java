package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/**
 * Hugging Face's {@code pegasus} as an {@link EncoderDecoderModel}: Pegasus (Zhang et
 * al. 2020): sinusoidal positions (sines first), pre-LN with a final LayerNorm per stack; see
 * {@link EncoderDecoderConfig#fromHuggingFace}.
 */
public final class PegasusProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return "pegasus";
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new EncoderDecoderModel(ops, EncoderDecoderConfig.fromHuggingFace(name(), config));
  }
}
