package io.github.transformers4j.api;


/**
 * An n-dimensional array resident on one compute backend (heap memory for the CPU, an OpenCL
 * buffer for a GPU). Tensors are values: kernels never modify their inputs, so a tensor can be
 * shared freely. Reading the data ({@link #toFloatArray()}) is an explicit host copy.
 *
 * <p>Identity matters: the autograd tape tracks tensors by identity, not by content.
 */
public interface Tensor extends AutoCloseable {

  /** The dimensions. */
  Shape shape();

  /** The element type ({@link DType#F32} or {@link DType#I32}). */
  DType dtype();

  /** The backend whose memory holds the data. */
  ComputeBackend backend();

  /** Copies an {@code F32} tensor's elements to a new host array, row-major. */
  float[] toFloatArray();

  /** Copies an {@code I32} tensor's elements to a new host array, row-major. */
  int[] toIntArray();

  /** The single element of a one-element {@code F32} tensor. */
  default float item() {
    if (shape().size() != 1) {
      throw new IllegalArgumentException("item() needs a one-element tensor, got shape " + shape());
    }
    return toFloatArray()[0];
  }

  /** Number of dimensions. */
  default int rank() {
    return shape().rank();
  }

  /** Number of elements. */
  default int size() {
    return shape().size();
  }

  /**
   * Releases backend memory now rather than at garbage collection. Using a closed tensor fails.
   * Closing twice is allowed.
   */
  @Override
  void close();

  /** Whether {@link #close()} was called. */
  boolean isClosed();
}
