package io.github.transformers4j.models.nn;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import java.util.Objects;

/**
 * One trainable tensor slot of a module: a fixed shape and a current value. Tensors are values, so
 * loading a checkpoint or an optimizer step replaces the value; layers read {@link #get()} at every
 * forward and so always see the latest one.
 */
public final class Parameter {
  private final String name;
  private final Shape shape;
  private Tensor value;

  Parameter(String name, Tensor value) {
    this.name = name;
    this.shape = value.shape();
    this.value = value;
  }

  /** The local name within its module ({@code weight}, {@code bias}). */
  public String name() {
    return name;
  }

  /** The fixed shape. */
  public Shape shape() {
    return shape;
  }

  /** The current value. */
  public Tensor get() {
    return value;
  }

  /**
   * Replaces the value.
   *
   * @throws IllegalArgumentException when {@code v} has another shape, naming this parameter
   */
  public void set(Tensor v) {
    Objects.requireNonNull(v, name);
    if (!v.shape().equals(shape)) {
      throw new IllegalArgumentException(
          "parameter '" + name + "': expected shape " + shape + ", got " + v.shape());
    }
    value = v;
  }
}
