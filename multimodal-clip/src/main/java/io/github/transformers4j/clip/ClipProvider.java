package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/** CLIP as the architecture {@code clip}, from a Hugging Face {@code CLIPModel} config map. */
public final class ClipProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return ClipModel.ARCHITECTURE;
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new ClipModel(ops, ClipConfig.fromMap(config));
  }
}
