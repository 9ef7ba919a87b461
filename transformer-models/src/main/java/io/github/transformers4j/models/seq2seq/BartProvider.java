package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/**
 * Hugging Face's {@code bart} as an {@link EncoderDecoderModel}: BART (Lewis et al.
 * 2019): learned positions with offset 2, {@code layernorm_embedding}, post-LN; see {@link
 * EncoderDecoderConfig#fromHuggingFace}.
 */
public final class BartProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return "bart";
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new EncoderDecoderModel(ops, EncoderDecoderConfig.fromHuggingFace(name(), config));
  }
}
