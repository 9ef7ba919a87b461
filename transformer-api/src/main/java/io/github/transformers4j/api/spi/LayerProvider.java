package io.github.transformers4j.api.spi;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Layer;
import java.util.Map;
import java.util.Set;

/**
 * A shape-preserving layer (a normalization such as {@code layer_norm} or {@code rms_norm}) as a
 * named plugin, so a configuration can name it and a plugin jar can add one.
 */
public interface LayerProvider extends NamedProvider {

  /** The option keys {@link #create} accepts (for instance {@code eps}). */
  Set<String> options();

  /**
   * A new layer of width {@code width} (C) whose tensors live on {@code ops}' backend.
   *
   * @throws IllegalArgumentException for an unknown or malformed option, naming it
   */
  Layer create(Ops ops, int width, Map<String, String> options);
}
