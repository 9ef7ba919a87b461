package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/**
 * The encoder-decoder Transformer under the {@code model_type} {@code t4j-transformer}: what {@code
 * t4j train seq2seq} writes for the options no Hugging Face family matches (learned or rotary
 * positions), so that such a folder says it is ours and Hugging Face refuses it by name, while
 * {@code Pretrained.load} still builds it.
 */
public final class T4jTransformerProvider implements ArchitectureProvider {
  /** The model_type. */
  public static final String NAME = "t4j-transformer";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new EncoderDecoderModel(ops, EncoderDecoderConfig.fromMap(config));
  }
}
