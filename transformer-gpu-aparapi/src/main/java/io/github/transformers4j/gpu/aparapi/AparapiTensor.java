package io.github.transformers4j.gpu.aparapi;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.ComputeBackend;

/**
 * A tensor of {@link AparapiBackend}: a shape over a {@link Storage}, which holds the host array
 * and records where the fresh copy of the data is (the host array, or the OpenCL buffer of one
 * kernel). Views made by {@code reshape} share the storage, hence its freshness.
 */
final class AparapiTensor implements Tensor {

  /**
   * The host array of a tensor and the kernel whose device buffer holds newer data, if any.
   * Guarded by the backend's lock.
   */
  static final class Storage {
    final float[] floats;
    final int[] ints;
    /** Non-null while the host array is stale: the kernel that wrote the data on the device. */
    DeviceKernel<?> owner;

    Storage(float[] floats, int[] ints) {
      this.floats = floats;
      this.ints = ints;
    }
  }

  private final AparapiBackend backend;
  private final Shape shape;
  private final DType dtype;
  final Storage storage;
  private volatile boolean closed;

  AparapiTensor(AparapiBackend backend, Shape shape, DType dtype, Storage storage) {
    int length = dtype == DType.I32 ? storage.ints.length : storage.floats.length;
    if (length != shape.size()) {
      throw new IllegalArgumentException(
          "tensor data has " + length + " elements but shape " + shape + " needs " + shape.size());
    }
    this.backend = backend;
    this.shape = shape;
    this.dtype = dtype;
    this.storage = storage;
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
    return backend.hostFloats(this).clone();
  }

  @Override
  public int[] toIntArray() {
    return backend.hostInts(this).clone();
  }

  /** Whether the fresh copy of the data is on the device (the host array is stale). */
  boolean onDevice() {
    synchronized (backend) {
      return storage.owner != null;
    }
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("tensor of shape " + shape + " is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "Tensor" + shape + " " + dtype + " on aparapi";
  }
}
