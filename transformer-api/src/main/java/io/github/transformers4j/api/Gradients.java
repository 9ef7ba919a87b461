package io.github.transformers4j.api;

import java.util.Collections;
import java.util.Map;

/** The gradients that {@link Tape#backward} computed, keyed by tensor identity. */
public final class Gradients {
  private final Map<Tensor, Tensor> byTensor;

  Gradients(Map<Tensor, Tensor> byTensor) {
    this.byTensor = Collections.unmodifiableMap(byTensor);
  }

  /**
   * The gradient of the loss with respect to {@code t}, the same shape as {@code t}, or
   * {@code null} when the loss does not depend on it.
   */
  public Tensor get(Tensor t) {
    return byTensor.get(t);
  }

  /** The gradient of {@code t}, or a zero tensor when the loss does not depend on it. */
  public Tensor getOrZeros(Tensor t) {
    Tensor g = byTensor.get(t);
    return g != null ? g : t.backend().zeros(t.shape(), t.dtype());
  }

  /** Number of watched tensors that received a gradient. */
  public int size() {
    return byTensor.size();
  }
}
