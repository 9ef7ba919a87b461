package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/**
 * Hugging Face's {@code marian} as an {@link EncoderDecoderModel}: Marian
 * (Junczys-Dowmunt et al. 2018): sinusoidal positions (sines first), post-LN; see {@link
 * EncoderDecoderConfig#fromHuggingFace}.
 */
public final class MarianProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return "marian";
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new EncoderDecoderModel(ops, EncoderDecoderConfig.fromHuggingFace(name(), config));
  }
}
