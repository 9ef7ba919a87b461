package io.github.transformers4j.api.reference;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.ComputeBackend;
import java.util.Objects;

/**
 * A tensor held in a heap array ({@code float[]} for {@code F32}, {@code int[]} for {@code I32}),
 * contiguous and row-major. Backends whose memory is the Java heap (the reference and the CPU
 * backends) use it as is. Views made by {@link #view} share the array; since kernels never write
 * their inputs, sharing is safe.
 */
public final class HostTensor implements Tensor {
  private final Shape shape;
  private final DType dtype;
  private final ComputeBackend backend;
  private float[] floats;
  private int[] ints;
  private volatile boolean closed;
  // The tracked storage when the backend counts its memory (HostMemory.Source), else null.
  private final HostMemory.Storage storage;

  private HostTensor(ComputeBackend backend, Shape shape, DType dtype, float[] f, int[] i) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.shape = shape;
    this.dtype = dtype;
    this.floats = f;
    this.ints = i;
    HostMemory memory =
        backend instanceof HostMemory.Source source ? source.hostMemory() : null;
    this.storage = memory == null ? null : memory.track(f != null ? f : i, f != null ? f.length : i.length);
  }

  /** Wraps (does not copy) {@code data} as an {@code F32} tensor of {@code shape}. */
  public static HostTensor wrap(ComputeBackend backend, float[] data, Shape shape) {
    if (data.length != shape.size()) {
      throw new IllegalArgumentException(
          "tensor data has " + data.length + " elements but shape " + shape + " needs " + shape.size());
    }
    return new HostTensor(backend, shape, DType.F32, data, null);
  }

  /** Wraps (does not copy) {@code data} as an {@code I32} tensor of {@code shape}. */
  public static HostTensor wrap(ComputeBackend backend, int[] data, Shape shape) {
    if (data.length != shape.size()) {
      throw new IllegalArgumentException(
          "tensor data has " + data.length + " elements but shape " + shape + " needs " + shape.size());
    }
    return new HostTensor(backend, shape, DType.I32, null, data);
  }

  /** The same storage under another shape of equal size. */
  public HostTensor view(Shape to) {
    checkOpen();
    return dtype == DType.F32 ? wrap(backend, floats, to) : wrap(backend, ints, to);
  }

  /** The backing array of an {@code F32} tensor, not a copy: kernels must not write to it. */
  public float[] floats() {
    checkOpen();
    if (floats == null) {
      throw new IllegalArgumentException("expected an F32 tensor, got " + dtype + " of shape " + shape);
    }
    return floats;
  }

  /** The backing array of an {@code I32} tensor, not a copy: kernels must not write to it. */
  public int[] ints() {
    checkOpen();
    if (ints == null) {
      throw new IllegalArgumentException("expected an I32 tensor, got " + dtype + " of shape " + shape);
    }
    return ints;
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

  /** The backing array of either type ({@code float[]} or {@code int[]}), for dtype-agnostic copies. */
  public Object array() {
    checkOpen();
    return dtype == DType.F32 ? floats : ints;
  }

  /** Marks the tensor closed and drops its reference to the array (other views keep theirs). */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    floats = null;
    ints = null;
    if (storage != null) {
      storage.closeOne();
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("tensor of shape " + shape + " is closed");
    }
  }

  @Override
  public String toString() {
    return "Tensor" + shape + " " + dtype + " on " + backend.name();
  }
}
