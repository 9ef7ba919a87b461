package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Layer;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;

/**
 * RMS normalization (Zhang and Sennrich 2019; T5, LLaMA) over the last axis: {@code x / √(mean(x²) +
 * eps)·weight}, without centering or bias.
 */
public final class RmsNorm extends AbstractModule implements Layer {
  private final Parameter weight;
  private final float eps;

  /** Width C, weight 1. */
  public RmsNorm(Ops ops, int width, float eps) {
    super(ops);
    this.weight = constant("weight", 1f, width);
    this.eps = eps;
  }

  @Override
  public Tensor forward(Tensor x) {
    return ops.rmsNorm(x, weight.get(), eps);
  }
}
