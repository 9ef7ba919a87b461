package io.github.transformers4j.gpu.aparapi;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * A tensor of {@link AparapiBackend}: a shape over a {@link Storage}, one OpenCL buffer. Views made
 * by {@code reshape} share the storage; the buffer is released when the last open view is closed,
 * or, for tensors nobody closes, when the storage becomes unreachable (see {@link Memory}).
 */
final class AparapiTensor implements Tensor {

  /**
   * The device buffer of a tensor. Guarded by the backend's lock. Kernels never write into an
   * existing storage, so a host copy, once made, stays valid: {@code hostFloats} caches the first
   * download, and I32 storages (ids and targets, which only ever come from the host) keep their
   * host array for validation without a download.
   */
  static final class Storage {
    final DType dtype;
    final int length;
    Memory memory;
    float[] hostFloats;
    int[] hostInts;
    int views;

    Storage(DType dtype, int length) {
      this.dtype = dtype;
      this.length = length;
    }

    long mem() {
      if (memory == null || memory.mem == 0) {
        throw new IllegalStateException("the device buffer of this tensor was released");
      }
      return memory.mem;
    }
  }

  /**
   * The OpenCL buffer of a storage, outliving it: when the storage becomes unreachable the
   * reference is queued and the backend releases {@link #mem} on its next allocation.
   */
  static final class Memory extends WeakReference<Storage> {
    long mem;
    final long bytes;

    Memory(Storage s, long mem, long bytes, ReferenceQueue<Storage> queue) {
      super(s, queue);
      this.mem = mem;
      this.bytes = bytes;
    }
  }

  private final AparapiBackend backend;
  private final Shape shape;
  final Storage storage;
  private volatile boolean closed;

  AparapiTensor(AparapiBackend backend, Shape shape, Storage storage) {
    if (storage.length != shape.size()) {
      throw new IllegalArgumentException(
          "tensor data has " + storage.length + " elements but shape " + shape + " needs "
              + shape.size());
    }
    this.backend = backend;
    this.shape = shape;
    this.storage = storage;
    synchronized (backend) {
      storage.views++;
    }
  }

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public DType dtype() {
    return storage.dtype;
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

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("tensor of shape " + shape + " is closed");
    }
  }

  @Override
  public void close() {
    synchronized (backend) {
      if (closed) {
        return;
      }
      closed = true;
      if (--storage.views == 0) {
        backend.release(storage);
      }
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "Tensor" + shape + " " + storage.dtype + " on aparapi";
  }
}
