package io.github.transformers4j.api.nn;

import io.github.transformers4j.api.Tensor;

/**
 * A shape-preserving building block over the last axis, (..., C) → (..., C): a normalization, a
 * feed-forward network. Found by name through {@link io.github.transformers4j.api.spi.LayerProvider}.
 */
public interface Layer extends Module {

  /** Applies the layer to {@code x} (..., C). */
  Tensor forward(Tensor x);
}
