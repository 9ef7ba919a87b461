package io.github.transformers4j.models.weights;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import java.util.Set;

/**
 * Named tensors read from a checkpoint (safetensors, ONNX initializers, ...), converted to
 * {@code F32} on access. Models load from it name for name with a shape check, so a checkpoint
 * format is one implementation of this interface.
 */
public interface Weights extends AutoCloseable {

  /** The tensor names, in file order. */
  Set<String> names();

  /** Whether a tensor of this name exists. */
  default boolean contains(String name) {
    return names().contains(name);
  }

  /**
   * The shape of tensor {@code name}.
   *
   * @throws IllegalArgumentException naming the tensor when there is none of that name
   */
  Shape shape(String name);

  /** The storage type of tensor {@code name} ({@code F32}, {@code F16}, {@code BF16}, ...). */
  DType storedAs(String name);

  /**
   * The elements of tensor {@code name} as a new row-major {@code float[]}, converted from the
   * storage type.
   *
   * @throws IllegalArgumentException naming the tensor when there is none of that name
   */
  float[] floats(String name);

  /** Releases the file (an unmapped or closed channel); reading afterwards fails. */
  @Override
  default void close() {}
}
