package io.github.transformers4j.api.reference;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.RecurrentCell;
import io.github.transformers4j.api.ReduceOp;
import io.github.transformers4j.api.ShapeRules;
import io.github.transformers4j.api.UnaryOp;
import java.util.ArrayList;
import java.util.List;

/**
 * The pure-Java, single-threaded backend over {@link HostKernels}: always available, slow, and the
 * oracle that the conformance suite holds every other backend to. Registered as {@code reference}
 * with the lowest priority, so it is chosen only by name or when nothing else can run.
 *
 * <p>Thread safety: stateless; may be shared by any number of threads, with results independent of
 * how many call it.
 */
public final class ReferenceBackend implements ComputeBackend {

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public String description() {
    return "naive scalar Java kernels (the test oracle; slow)";
  }

  /** The host tensor behind {@code t}, which must belong to this backend and be open. */
  private HostTensor host(Tensor t) {
    if (t.backend() != this || !(t instanceof HostTensor h)) {
      throw new IllegalArgumentException(
          "tensor " + t + " belongs to backend '" + t.backend().name() + "', not to this 'reference' backend");
    }
    return h;
  }

  private float[] f(Tensor t) {
    return host(t).floats();
  }

  private Tensor out(float[] data, Shape shape) {
    return HostTensor.wrap(this, data, shape);
  }

  @Override
  public Tensor fromHost(float[] data, Shape shape) {
    return out(data.clone(), shape);
  }

  @Override
  public Tensor fromHost(int[] data, Shape shape) {
    return HostTensor.wrap(this, data.clone(), shape);
  }

  @Override
  public Tensor zeros(Shape shape, DType dtype) {
    return dtype == DType.I32
        ? HostTensor.wrap(this, new int[shape.size()], shape)
        : out(new float[shape.size()], shape);
  }

  @Override
  public Tensor reshape(Tensor x, Shape shape) {
    return host(x).view(ShapeRules.reshape(x.shape(), shape));
  }

  @Override
  public Tensor permute(Tensor x, int[] axes) {
    return out(HostKernels.permute(f(x), x.shape(), axes), ShapeRules.permute(x.shape(), axes));
  }

  @Override
  public Tensor slice(Tensor x, int axis, int start, int end) {
    return out(
        HostKernels.slice(f(x), x.shape(), axis, start, end),
        ShapeRules.slice(x.shape(), axis, start, end));
  }

  @Override
  public Tensor concat(List<Tensor> parts, int axis) {
    List<float[]> data = new ArrayList<>();
    List<Shape> shapes = new ArrayList<>();
    for (Tensor t : parts) {
      data.add(f(t));
      shapes.add(t.shape());
    }
    return out(HostKernels.concat(data, shapes, axis), ShapeRules.concat(shapes, axis));
  }

  @Override
  public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    return out(
        HostKernels.matmul(f(a), a.shape(), f(b), b.shape(), transposeA, transposeB),
        ShapeRules.matmul(a.shape(), b.shape(), transposeA, transposeB));
  }

  @Override
  public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    return out(
        HostKernels.binary(op, f(a), a.shape(), f(b), b.shape()),
        ShapeRules.broadcast(op.name(), a.shape(), b.shape()));
  }

  @Override
  public Tensor unary(UnaryOp op, Tensor x) {
    return out(HostKernels.unary(op, f(x)), x.shape());
  }

  @Override
  public Tensor affine(Tensor x, float scale, float shift) {
    return out(HostKernels.affine(f(x), scale, shift), x.shape());
  }

  @Override
  public Tensor activation(Activation fn, Tensor x) {
    return out(HostKernels.activation(fn, f(x)), x.shape());
  }

  @Override
  public Tensor activationBackward(Activation fn, Tensor x, Tensor dy) {
    return out(HostKernels.activationBackward(fn, f(x), f(dy)), x.shape());
  }

  @Override
  public Tensor reduce(ReduceOp op, Tensor x, int axis, boolean keepDim) {
    return out(
        HostKernels.reduce(op, f(x), x.shape(), axis),
        ShapeRules.reduce(op.name(), x.shape(), axis, keepDim));
  }

  @Override
  public Tensor sumTo(Tensor x, Shape target) {
    return out(HostKernels.sumTo(f(x), x.shape(), target), target);
  }

  @Override
  public Tensor broadcastTo(Tensor x, Shape target) {
    return out(HostKernels.broadcastTo(f(x), x.shape(), target), target);
  }

  @Override
  public Tensor softmax(Tensor x, Tensor mask, boolean causal) {
    return out(
        HostKernels.softmax(
            f(x), x.shape(), mask == null ? null : f(mask), mask == null ? null : mask.shape(), causal),
        x.shape());
  }

  @Override
  public Tensor softmaxBackward(Tensor y, Tensor dy) {
    return out(HostKernels.softmaxBackward(f(y), f(dy), y.shape().dim(-1)), y.shape());
  }

  @Override
  public Tensor logSoftmax(Tensor x) {
    return out(HostKernels.logSoftmax(f(x), x.shape().dim(-1)), x.shape());
  }

  @Override
  public Tensor logSoftmaxBackward(Tensor y, Tensor dy) {
    return out(HostKernels.logSoftmaxBackward(f(y), f(dy), y.shape().dim(-1)), y.shape());
  }

  @Override
  public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    return out(
        HostKernels.layerNorm(f(x), x.shape().dim(-1), f(gamma), f(beta), eps), x.shape());
  }

  @Override
  public Tensor[] layerNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    float[][] g = HostKernels.layerNormBackward(f(x), x.shape().dim(-1), f(gamma), eps, f(dy));
    return new Tensor[] {out(g[0], x.shape()), out(g[1], gamma.shape()), out(g[2], gamma.shape())};
  }

  @Override
  public Tensor[] recurrentStep(
      RecurrentCell cell, Tensor gx, Tensor h, Tensor c, Tensor whh, Tensor bhh) {
    Shape so = ShapeRules.recurrentStep(cell, gx.shape(), h.shape(), c == null ? null : c.shape(),
        whh.shape(), bhh == null ? null : bhh.shape());
    int hs = h.shape().dim(1);
    float[][] r = HostKernels.recurrentStep(cell, f(gx), f(h), c == null ? null : f(c), f(whh),
        bhh == null ? null : f(bhh), hs);
    return new Tensor[] {
      out(r[0], so), r[1] == null ? null : out(r[1], Shape.of(h.shape().dim(0), 4 * hs))
    };
  }

  @Override
  public Tensor[] recurrentStepBackward(
      RecurrentCell cell, Tensor h, Tensor c, Tensor whh, Tensor bhh, Tensor state, Tensor saved,
      Tensor dState) {
    int hs = h.shape().dim(1);
    float[][] r = HostKernels.recurrentStepBackward(cell, f(h), c == null ? null : f(c), f(whh),
        bhh != null, f(state), saved == null ? null : f(saved), f(dState), hs);
    int b = h.shape().dim(0);
    int g = whh.shape().dim(0);
    return new Tensor[] {
      out(r[0], Shape.of(b, g)), out(r[1], h.shape()), r[2] == null ? null : out(r[2], h.shape()),
      out(r[3], whh.shape()), r[4] == null ? null : out(r[4], Shape.of(g))
    };
  }

  @Override
  public Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
    return out(HostKernels.rmsNorm(f(x), x.shape().dim(-1), f(gamma), eps), x.shape());
  }

  @Override
  public Tensor[] rmsNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    float[][] g = HostKernels.rmsNormBackward(f(x), x.shape().dim(-1), f(gamma), eps, f(dy));
    return new Tensor[] {out(g[0], x.shape()), out(g[1], gamma.shape())};
  }

  @Override
  public Tensor embedding(Tensor table, Tensor ids) {
    int v = table.shape().dim(0);
    int c = table.shape().dim(1);
    return out(
        HostKernels.embedding(f(table), v, c, host(ids).ints()), ids.shape().append(c));
  }

  @Override
  public Tensor embeddingBackward(Tensor ids, Tensor dy, int vocabSize) {
    int c = dy.shape().dim(-1);
    return out(
        HostKernels.embeddingBackward(host(ids).ints(), f(dy), vocabSize, c),
        Shape.of(vocabSize, c));
  }

  @Override
  public Tensor dropout(Tensor x, float p, long seed) {
    return out(HostKernels.dropout(f(x), p, seed), x.shape());
  }

  @Override
  public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing) {
    int n = logits.shape().dim(0);
    int v = logits.shape().dim(1);
    float loss =
        HostKernels.crossEntropy(f(logits), n, v, host(targets).ints(), ignoreIndex, labelSmoothing);
    return out(new float[] {loss}, Shape.scalar());
  }

  @Override
  public Tensor crossEntropyBackward(
      Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing, float dLoss) {
    int n = logits.shape().dim(0);
    int v = logits.shape().dim(1);
    return out(
        HostKernels.crossEntropyBackward(
            f(logits), n, v, host(targets).ints(), ignoreIndex, labelSmoothing, dLoss),
        logits.shape());
  }
}
