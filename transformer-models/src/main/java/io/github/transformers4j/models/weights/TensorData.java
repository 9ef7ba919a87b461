package io.github.transformers4j.models.weights;

import io.github.transformers4j.api.Shape;

/**
 * A named checkpoint's tensor as host data: a shape and its row-major {@code F32} elements, the
 * unit {@link SafeTensors#write} takes. The array is not copied.
 *
 * @param shape the dimensions
 * @param values the elements, row-major; exactly {@code shape.size()} of them
 */
public record TensorData(Shape shape, float[] values) {

  /** Checks that the element count matches the shape. */
  public TensorData {
    if (shape == null || values == null) {
      throw new IllegalArgumentException("tensor data needs a shape and values");
    }
    if (values.length != shape.size()) {
      throw new IllegalArgumentException(
          "tensor data: shape " + shape + " has " + shape.size() + " elements but "
              + values.length + " values were given");
    }
  }

  /** Wraps {@code values} (not copied) with the given dimensions. */
  public static TensorData of(float[] values, int... dims) {
    return new TensorData(Shape.of(dims), values);
  }
}
