package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Layer;
import io.github.transformers4j.api.spi.LayerProvider;
import java.util.Map;
import java.util.Set;

/** {@link RmsNorm} as the named layer {@code rms_norm} (option {@code eps}, default 1e-5). */
public final class RmsNormProvider implements LayerProvider {
  @Override
  public String name() {
    return "rms_norm";
  }

  @Override
  public Set<String> options() {
    return Set.of("eps");
  }

  @Override
  public Layer create(Ops ops, int width, Map<String, String> options) {
    return new RmsNorm(ops, width, LayerOptions.eps(name(), options, options()));
  }
}
