package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Layer;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;

/**
 * Layer normalization (Ba et al. 2016) over the last axis: {@code (x − mean)/√(var + eps)·weight +
 * bias}, parameters {@code weight} and {@code bias} (C) as Hugging Face names them.
 */
public final class LayerNorm extends AbstractModule implements Layer {
  private final Parameter weight;
  private final Parameter bias;
  private final float eps;

  /** Width C, weight 1, bias 0. */
  public LayerNorm(Ops ops, int width, float eps) {
    super(ops);
    this.weight = constant("weight", 1f, width);
    this.bias = constant("bias", 0f, width);
    this.eps = eps;
  }

  @Override
  public Tensor forward(Tensor x) {
    return ops.layerNorm(x, weight.get(), bias.get(), eps);
  }
}
