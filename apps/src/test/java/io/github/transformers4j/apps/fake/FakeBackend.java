package io.github.transformers4j.apps.fake;

import io.github.transformers4j.api.reference.HostTensor;
import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.ReduceOp;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.UnaryOp;
import java.util.List;

/**
 * A backend for the CLI tests: a naive 2-D matmul and {@code fromHost}, nothing else (the CLI needs
 * nothing else). With {@code broken} its matmul drops the last term of every dot product, the kind
 * of bug the benchmark's check must catch, and it reports that matmul as running through the host
 * (for {@code backends --kernels}).
 */
final class FakeBackend implements ComputeBackend {
  private final String name;
  private final String description;
  private final boolean broken;

  FakeBackend(String name, String description, boolean broken) {
    this.name = name;
    this.description = description;
    this.broken = broken;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public boolean runsOnDevice(String kernel) {
    return ComputeBackend.super.runsOnDevice(kernel) && !(broken && kernel.equals("matmul"));
  }

  @Override
  public Tensor fromHost(float[] data, Shape shape) {
    if (data.length != shape.size()) {
      throw new IllegalArgumentException(data.length + " values for shape " + shape);
    }
    return HostTensor.wrap(this, data.clone(), shape);
  }

  @Override
  public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    if (transposeA || transposeB || a.rank() != 2 || b.rank() != 2) {
      throw new UnsupportedOperationException("the fake backend multiplies plain matrices only");
    }
    int m = a.shape().dim(0);
    int k = a.shape().dim(1);
    int n = b.shape().dim(1);
    float[] x = ((HostTensor) a).floats();
    float[] y = ((HostTensor) b).floats();
    float[] c = new float[m * n];
    int terms = broken ? k - 1 : k;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0;
        for (int p = 0; p < terms; p++) {
          s += x[i * k + p] * y[p * n + j];
        }
        c[i * n + j] = s;
      }
    }
    return HostTensor.wrap(this, c, Shape.of(m, n));
  }

  private static UnsupportedOperationException unused() {
    return new UnsupportedOperationException("not used by the CLI tests");
  }

  @Override
  public Tensor fromHost(int[] data, Shape shape) {
    throw unused();
  }

  @Override
  public Tensor zeros(Shape shape, DType dtype) {
    throw unused();
  }

  @Override
  public Tensor reshape(Tensor x, Shape shape) {
    throw unused();
  }

  @Override
  public Tensor permute(Tensor x, int[] axes) {
    throw unused();
  }

  @Override
  public Tensor slice(Tensor x, int axis, int start, int end) {
    throw unused();
  }

  @Override
  public Tensor concat(List<Tensor> parts, int axis) {
    throw unused();
  }

  @Override
  public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    throw unused();
  }

  @Override
  public Tensor unary(UnaryOp op, Tensor x) {
    throw unused();
  }

  @Override
  public Tensor affine(Tensor x, float scale, float shift) {
    throw unused();
  }

  @Override
  public Tensor activation(Activation f, Tensor x) {
    throw unused();
  }

  @Override
  public Tensor activationBackward(Activation f, Tensor x, Tensor dy) {
    throw unused();
  }

  @Override
  public Tensor reduce(ReduceOp op, Tensor x, int axis, boolean keepDim) {
    throw unused();
  }

  @Override
  public Tensor sumTo(Tensor x, Shape target) {
    throw unused();
  }

  @Override
  public Tensor broadcastTo(Tensor x, Shape target) {
    throw unused();
  }

  @Override
  public Tensor softmax(Tensor x, Tensor mask, boolean causal) {
    throw unused();
  }

  @Override
  public Tensor softmaxBackward(Tensor y, Tensor dy) {
    throw unused();
  }

  @Override
  public Tensor logSoftmax(Tensor x) {
    throw unused();
  }

  @Override
  public Tensor logSoftmaxBackward(Tensor y, Tensor dy) {
    throw unused();
  }

  @Override
  public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    throw unused();
  }

  @Override
  public Tensor[] layerNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    throw unused();
  }

  @Override
  public Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
    throw unused();
  }

  @Override
  public Tensor[] rmsNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    throw unused();
  }

  @Override
  public Tensor embedding(Tensor table, Tensor ids) {
    throw unused();
  }

  @Override
  public Tensor embeddingBackward(Tensor ids, Tensor dy, int vocabSize) {
    throw unused();
  }

  @Override
  public Tensor dropout(Tensor x, float p, long seed) {
    throw unused();
  }

  @Override
  public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing) {
    throw unused();
  }

  @Override
  public Tensor crossEntropyBackward(
      Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing, float dLoss) {
    throw unused();
  }
}
