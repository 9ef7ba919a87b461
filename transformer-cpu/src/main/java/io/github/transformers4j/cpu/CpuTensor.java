package io.github.transformers4j.cpu;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.ComputeBackend;

/**
 * A tensor of the CPU backend: a contiguous row-major heap {@code float[]} (F32) or {@code int[]}
 * (I32). Views made by {@code reshape} share the array; since kernels never write their inputs,
 * sharing is safe. Closing drops this tensor's reference to the array (other views keep theirs).
 */
final class CpuTensor implements Tensor {
  private final CpuBackend backend;
  private final Shape shape;
  private final DType dtype;
  private float[] floats;
  private int[] ints;
  private volatile boolean closed;

  private CpuTensor(CpuBackend backend, Shape shape, DType dtype, float[] floats, int[] ints) {
    this.backend = backend;
    this.shape = shape;
    this.dtype = dtype;
    this.floats = floats;
    this.ints = ints;
  }

  static CpuTensor of(CpuBackend backend, float[] data, Shape shape) {
    if (data.length != shape.size()) {
      throw new IllegalArgumentException(
          "cpu: " + data.length + " floats cannot fill a tensor of shape " + shape);
    }
    return new CpuTensor(backend, shape, DType.F32, data, null);
  }

  static CpuTensor of(CpuBackend backend, int[] data, Shape shape) {
    if (data.length != shape.size()) {
      throw new IllegalArgumentException(
          "cpu: " + data.length + " ints cannot fill a tensor of shape " + shape);
    }
    return new CpuTensor(backend, shape, DType.I32, null, data);
  }

  /** The same array under another shape of equal size. */
  CpuTensor view(Shape to) {
    checkOpen();
    return new CpuTensor(backend, to, dtype, floats, ints);
  }

  /** The backing float array (not a copy); fails for a closed or I32 tensor. */
  float[] floats() {
    checkOpen();
    if (dtype != DType.F32) {
      throw new IllegalArgumentException("expected an F32 tensor, got " + this);
    }
    return floats;
  }

  /** The backing int array (not a copy); fails for a closed or F32 tensor. */
  int[] ints() {
    checkOpen();
    if (dtype != DType.I32) {
      throw new IllegalArgumentException("expected an I32 tensor, got " + this);
    }
    return ints;
  }

  /** The backing array of either type, for dtype-agnostic copies. */
  Object array() {
    checkOpen();
    return dtype == DType.F32 ? floats : ints;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("cpu: tensor of shape " + shape + " is closed");
    }
  }

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public ComputeBackend backend() {
    return backend;
  }

  @Override
  public float[] toFloatArray() {
    return floats().clone();
  }

  @Override
  public int[] toIntArray() {
    return ints().clone();
  }

  @Override
  public void close() {
    closed = true;
    floats = null;
    ints = null;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "CpuTensor(" + dtype + " " + shape + (closed ? ", closed" : "") + ")";
  }
}
