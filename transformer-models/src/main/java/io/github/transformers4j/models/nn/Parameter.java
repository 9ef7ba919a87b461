package io.github.transformers4j.models.nn;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One trainable tensor slot of a module: a fixed shape and a current value. Tensors are values, so
 * loading a checkpoint or an optimizer step replaces the value; layers read {@link #get()} at every
 * forward and so always see the latest one.
 *
 * <p>An initial value may be deferred: a newly built layer's random or constant initialization is
 * made on the backend at the first {@link #get()}, and never when a checkpoint's value is {@link
 * #set} first. So loading a model allocates and uploads each weight once (a device backend
 * receives no random weights that loading would replace at once), and skips drawing them.
 */
public final class Parameter {
  private final String name;
  private final Shape shape;
  private volatile Tensor value;
  private Supplier<Tensor> initial; // guarded by this; null once a value exists

  Parameter(String name, Tensor value) {
    this.name = name;
    this.shape = value.shape();
    this.value = value;
  }

  /** A parameter of {@code shape} whose value {@code initial} makes at the first {@link #get()}. */
  Parameter(String name, Shape shape, Supplier<Tensor> initial) {
    this.name = name;
    this.shape = Objects.requireNonNull(shape, name);
    this.initial = Objects.requireNonNull(initial, name);
  }

  /** The local name within its module ({@code weight}, {@code bias}). */
  public String name() {
    return name;
  }

  /** The fixed shape. */
  public Shape shape() {
    return shape;
  }

  /** The current value (made now from the deferred initialization when none was set yet). */
  public Tensor get() {
    Tensor v = value;
    if (v != null) {
      return v;
    }
    synchronized (this) {
      if (value == null) {
        Tensor made = initial.get();
        if (!made.shape().equals(shape)) {
          throw new IllegalStateException(
              "parameter '" + name + "': initialized with shape " + made.shape() + ", expected "
                  + shape);
        }
        value = made;
        initial = null;
      }
      return value;
    }
  }

  /** Whether a value exists (it was set, read, or given at construction). */
  public boolean materialized() {
    return value != null;
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
    synchronized (this) {
      value = v;
      initial = null;
    }
  }
}
