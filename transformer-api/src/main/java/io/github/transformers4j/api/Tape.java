package io.github.transformers4j.api;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The reverse-mode autograd tape: while open, {@link Ops} records every op whose inputs depend on
 * a watched tensor; {@link #backward} walks the records in reverse and returns the gradient of a
 * scalar with respect to each watched tensor.
 *
 * <pre>{@code
 * try (Tape tape = ops.record()) {
 *   tape.watch(w, b);
 *   Tensor loss = ops.crossEntropy(ops.add(ops.matmul(x, w), b), targets);
 *   Gradients g = tape.backward(loss);
 *   Tensor dw = g.get(w);
 * }
 * }</pre>
 *
 * <p>Tensors are tracked by identity. A tape belongs to one {@link Ops} and one thread.
 */
public final class Tape implements AutoCloseable {

  /** Computes the gradients of an op's inputs from the gradient of its output. */
  @FunctionalInterface
  interface Backward {
    /** One gradient per input, in input order; {@code null} for inputs that take none. */
    Tensor[] apply(Tensor gradOutput);
  }

  private record Node(String op, Tensor[] inputs, Tensor output, Backward backward) {}

  private final Ops ops;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<Tensor, Boolean> tracked = new IdentityHashMap<>();
  private final Map<Tensor, Boolean> watched = new IdentityHashMap<>();
  private final Map<Tensor, Float> constants = new IdentityHashMap<>();
  private boolean open = true;

  Tape(Ops ops) {
    this.ops = ops;
  }

  /** Marks tensors (parameters, inputs) whose gradients {@link #backward} should return. */
  public Tape watch(Tensor... tensors) {
    for (Tensor t : tensors) {
      Objects.requireNonNull(t, "watched tensor");
      watched.put(t, Boolean.TRUE);
      tracked.put(t, Boolean.TRUE);
    }
    return this;
  }

  /** Whether {@code t} depends on a watched tensor (so ops on it are recorded). */
  public boolean isTracked(Tensor t) {
    return t != null && tracked.containsKey(t);
  }

  /** Number of ops recorded so far. */
  public int size() {
    return nodes.size();
  }

  boolean isOpen() {
    return open;
  }

  boolean anyTracked(Tensor... inputs) {
    for (Tensor t : inputs) {
      if (t != null && tracked.containsKey(t)) {
        return true;
      }
    }
    return false;
  }

  void add(String op, Tensor[] inputs, Tensor output, Backward backward) {
    nodes.add(new Node(op, inputs, output, backward));
    tracked.put(output, Boolean.TRUE);
  }

  /** The value of {@code t} when it is a constant this tape created, else {@code null}. */
  Float constant(Tensor t) {
    return constants.get(t);
  }

  /**
   * Gradients of the scalar {@code loss} with respect to every watched tensor it depends on.
   *
   * @throws IllegalArgumentException if {@code loss} is not a one-element tensor
   */
  public Gradients backward(Tensor loss) {
    if (loss.shape().size() != 1) {
      throw new IllegalArgumentException(
          "backward: the loss must be a one-element tensor, got shape " + loss.shape()
              + " (reduce it first, or pass an output gradient)");
    }
    // dL/dL = 1, made on the backend (0·0 + 1) so that a device backend uploads nothing
    Tensor zero = ops.backend().zeros(loss.shape(), DType.F32);
    Tensor seed = ops.backend().affine(zero, 0f, 1f);
    zero.close();
    constants.put(seed, 1f);
    return backward(loss, seed);
  }

  /** Gradients given the gradient {@code gradOutput} of {@code output} (same shape). */
  public Gradients backward(Tensor output, Tensor gradOutput) {
    if (!output.shape().equals(gradOutput.shape())) {
      throw new IllegalArgumentException(
          "backward: output gradient " + gradOutput.shape() + " does not match output " + output.shape());
    }
    Map<Tensor, Tensor> grads = new IdentityHashMap<>();
    grads.put(output, gradOutput);
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node node = nodes.get(i);
      Tensor g = grads.get(node.output());
      if (g == null) {
        continue;
      }
      Tensor[] inputGrads = node.backward().apply(g);
      for (int j = 0; j < node.inputs().length; j++) {
        Tensor in = node.inputs()[j];
        Tensor ig = inputGrads[j];
        if (in == null || ig == null || !tracked.containsKey(in)) {
          continue;
        }
        if (!ig.shape().equals(in.shape())) {
          throw new IllegalStateException(
              "autograd: gradient of " + node.op() + " input " + j + " has shape " + ig.shape()
                  + " but the input has " + in.shape());
        }
        Tensor prev = grads.get(in);
        grads.put(in, prev == null ? ig : ops.backend().binary(BinaryOp.ADD, prev, ig));
      }
    }
    Map<Tensor, Tensor> result = new IdentityHashMap<>();
    for (Tensor w : watched.keySet()) {
      Tensor g = grads.get(w);
      if (g != null) {
        result.put(w, g);
      }
    }
    return new Gradients(result);
  }

  /** Stops recording; the tape can still run {@link #backward}. */
  @Override
  public void close() {
    if (open) {
      open = false;
      ops.detach(this);
    }
  }
}
