package io.github.transformers4j.apps.fake;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;

/** A heap {@code F32} tensor of {@link FakeBackend}. */
final class FakeTensor implements Tensor {
  private final FakeBackend backend;
  private final Shape shape;
  private final float[] data;
  private boolean closed;

  FakeTensor(FakeBackend backend, Shape shape, float[] data) {
    this.backend = backend;
    this.shape = shape;
    this.data = data;
  }

  float[] data() {
    if (closed) {
      throw new IllegalStateException("tensor is closed");
    }
    return data;
  }

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public DType dtype() {
    return DType.F32;
  }

  @Override
  public ComputeBackend backend() {
    return backend;
  }

  @Override
  public float[] toFloatArray() {
    return data().clone();
  }

  @Override
  public int[] toIntArray() {
    throw new IllegalStateException("F32 tensor");
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }
}
