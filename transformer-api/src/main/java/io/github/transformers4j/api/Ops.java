package io.github.transformers4j.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The facade layers compute through: checks shapes (a mismatch fails with an
 * {@link IllegalArgumentException} naming the op and both shapes), records the op on the open
 * {@link Tape} when an input is tracked, then dispatches to the backend kernel.
 *
 * <p>Thread safety: while no {@link Tape} records, an {@code Ops} holds no changing state, and one
 * may be shared by any number of threads running inference (a model shared by threads shares its
 * {@code Ops}). A tape records the ops of every thread on its {@code Ops}: a training run (or any
 * gradient computation) needs an {@code Ops}, and a model, of its own. (The one cache it keeps,
 * of {@link #positions} tensors, is safe for concurrent use.) The backend behind it may
 * use many threads inside each kernel (see each backend's thread-safety note).
 */
public final class Ops {
  /** How many shapes of {@link #positions} are kept; past it the cache starts over. */
  private static final int POSITION_SHAPES = 16;

  private final ComputeBackend backend;
  private final java.util.concurrent.ConcurrentHashMap<Long, Tensor> positions =
      new java.util.concurrent.ConcurrentHashMap<>();
  private Tape tape;

  /** Ops over {@code backend}. */
  public Ops(ComputeBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  /** The backend every op runs on. */
  public ComputeBackend backend() {
    return backend;
  }

  // ---- Autograd ----

  /**
   * Starts recording ops for reverse-mode differentiation. Close the tape to stop.
   *
   * @throws IllegalStateException if a tape is already recording on this {@code Ops}
   */
  public Tape record() {
    if (tape != null) {
      throw new IllegalStateException("a tape is already recording on this Ops; close it first");
    }
    tape = new Tape(this);
    return tape;
  }

  /** The recording tape, or {@code null}. */
  public Tape tape() {
    return tape;
  }

  void detach(Tape t) {
    if (tape == t) {
      tape = null;
    }
  }

  private boolean recording(Tensor... inputs) {
    return tape != null && tape.anyTracked(inputs);
  }

  private Tensor record(String op, Tensor[] inputs, Tensor out, Tape.Backward backward) {
    tape.add(op, inputs, out, backward);
    return out;
  }

  // ---- Creation ----

  /** An {@code F32} tensor holding a copy of {@code data} with dimensions {@code dims}. */
  public Tensor tensor(float[] data, int... dims) {
    Shape s = Shape.of(dims);
    if (data.length != s.size()) {
      throw new IllegalArgumentException(
          "tensor: " + data.length + " values do not fill shape " + s + " (" + s.size() + ")");
    }
    return backend.fromHost(data, s);
  }

  /** An {@code I32} tensor (token ids, labels) holding a copy of {@code data}. */
  public Tensor ids(int[] data, int... dims) {
    Shape s = Shape.of(dims);
    if (data.length != s.size()) {
      throw new IllegalArgumentException(
          "ids: " + data.length + " values do not fill shape " + s + " (" + s.size() + ")");
    }
    return backend.fromHost(data, s);
  }

  /**
   * The position ids {@code 0..t-1} of each of {@code batch} rows, an {@code I32} tensor (batch,
   * t). It is made once per shape and kept on the backend (up to {@value #POSITION_SHAPES}
   * shapes), so that a forward pass over a batch of the same shape uploads only its token ids. The
   * tensor is shared: callers must not close it. Safe for concurrent use.
   */
  public Tensor positions(int batch, int t) {
    if (batch < 1 || t < 1) {
      throw new IllegalArgumentException("positions: batch " + batch + " and length " + t
          + " must be >= 1");
    }
    long key = ((long) batch << 32) | t;
    Tensor cached = positions.get(key);
    if (cached != null && !cached.isClosed()) {
      return cached;
    }
    int[] pos = new int[Math.multiplyExact(batch, t)];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = i % t;
    }
    Tensor made = ids(pos, batch, t);
    if (positions.size() >= POSITION_SHAPES) {
      // Dropped tensors are not closed here: another thread may still read one; their memory
      // goes back when they are collected.
      positions.clear();
    }
    positions.put(key, made);
    return made;
  }

  /** An {@code F32} tensor of zeros. */
  public Tensor zeros(int... dims) {
    return backend.zeros(Shape.of(dims), DType.F32);
  }

  /** A scalar {@code F32} tensor. */
  public Tensor scalar(float value) {
    return backend.fromHost(new float[] {value}, Shape.scalar());
  }

  // ---- Checks ----

  private Tensor f32(String op, String role, Tensor t) {
    Objects.requireNonNull(t, () -> op + ": " + role + " is null");
    if (t.backend() != backend) {
      throw new IllegalArgumentException(
          op + ": " + role + " " + t.shape() + " lives on backend '" + t.backend().name()
              + "' but these ops run on '" + backend.name() + "'");
    }
    if (t.isClosed()) {
      throw new IllegalStateException(op + ": " + role + " " + t.shape() + " is closed");
    }
    if (t.dtype() != DType.F32) {
      throw new IllegalArgumentException(
          op + ": " + role + " must be F32, got " + t.dtype() + " of shape " + t.shape());
    }
    return t;
  }

  private Tensor i32(String op, String role, Tensor t) {
    Objects.requireNonNull(t, () -> op + ": " + role + " is null");
    if (t.backend() != backend) {
      throw new IllegalArgumentException(
          op + ": " + role + " " + t.shape() + " lives on backend '" + t.backend().name()
              + "' but these ops run on '" + backend.name() + "'");
    }
    if (t.dtype() != DType.I32) {
      throw new IllegalArgumentException(
          op + ": " + role + " must be I32 ids, got " + t.dtype() + " of shape " + t.shape());
    }
    return t;
  }

  private void noGradient(String op, Tensor... inputs) {
    if (recording(inputs)) {
      throw new IllegalStateException(
          op + " has no gradient, but an input is tracked by the recording tape");
    }
  }

  // ---- Layout ----

  /** The same elements as {@code x} viewed with dimensions {@code dims} (one may be -1). */
  public Tensor reshape(Tensor x, int... dims) {
    f32or("reshape", x);
    int[] d = dims.clone();
    int infer = -1;
    int known = 1;
    for (int i = 0; i < d.length; i++) {
      if (d[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(dims));
        }
        infer = i;
      } else {
        known *= d[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || x.size() % known != 0) {
        throw new IllegalArgumentException(
            "reshape: cannot view " + x.shape() + " as " + Arrays.toString(dims));
      }
      d[infer] = x.size() / known;
    }
    Shape to = ShapeRules.reshape(x.shape(), Shape.of(d));
    Tensor out = backend.reshape(x, to);
    if (!recording(x)) {
      return out;
    }
    Shape from = x.shape();
    return record("reshape", new Tensor[] {x}, out, g -> new Tensor[] {backend.reshape(g, from)});
  }

  private void f32or(String op, Tensor x) {
    Objects.requireNonNull(x, () -> op + ": input is null");
    if (x.backend() != backend) {
      throw new IllegalArgumentException(
          op + ": input " + x.shape() + " lives on backend '" + x.backend().name()
              + "' but these ops run on '" + backend.name() + "'");
    }
  }

  /** Axes reordered: output axis {@code i} is input axis {@code axes[i]}. */
  public Tensor permute(Tensor x, int... axes) {
    f32("permute", "input", x);
    ShapeRules.permute(x.shape(), axes);
    Tensor out = backend.permute(x, axes.clone());
    if (!recording(x)) {
      return out;
    }
    int[] inverse = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      inverse[axes[i]] = i;
    }
    return record("permute", new Tensor[] {x}, out, g -> new Tensor[] {backend.permute(g, inverse)});
  }

  /** Swaps axes {@code a} and {@code b} (negative counts from the end). */
  public Tensor transpose(Tensor x, int a, int b) {
    int r = x.rank();
    int[] axes = new int[r];
    for (int i = 0; i < r; i++) {
      axes[i] = i;
    }
    int pa = x.shape().axis(a);
    int pb = x.shape().axis(b);
    axes[pa] = pb;
    axes[pb] = pa;
    return permute(x, axes);
  }

  /** {@code x[..., start:end, ...]} along {@code axis}. */
  public Tensor slice(Tensor x, int axis, int start, int end) {
    f32("slice", "input", x);
    int a = x.shape().axis(axis);
    ShapeRules.slice(x.shape(), a, start, end);
    Tensor out = backend.slice(x, a, start, end);
    if (!recording(x)) {
      return out;
    }
    Shape sx = x.shape();
    return record(
        "slice",
        new Tensor[] {x},
        out,
        g -> {
          List<Tensor> parts = new ArrayList<>();
          if (start > 0) {
            parts.add(backend.zeros(sx.with(a, start), DType.F32));
          }
          parts.add(g);
          if (end < sx.dim(a)) {
            parts.add(backend.zeros(sx.with(a, sx.dim(a) - end), DType.F32));
          }
          return new Tensor[] {parts.size() == 1 ? g : backend.concat(parts, a)};
        });
  }

  /** Tensors joined along {@code axis}. */
  public Tensor concat(List<Tensor> parts, int axis) {
    List<Shape> shapes = new ArrayList<>();
    for (Tensor t : parts) {
      shapes.add(f32("concat", "part", t).shape());
    }
    Shape out = ShapeRules.concat(shapes, axis);
    int a = out.axis(axis);
    Tensor y = backend.concat(List.copyOf(parts), a);
    Tensor[] inputs = parts.toArray(new Tensor[0]);
    if (!recording(inputs)) {
      return y;
    }
    return record(
        "concat",
        inputs,
        y,
        g -> {
          Tensor[] grads = new Tensor[inputs.length];
          int at = 0;
          for (int i = 0; i < inputs.length; i++) {
            int len = shapes.get(i).dim(a);
            grads[i] = backend.slice(g, a, at, at + len);
            at += len;
          }
          return grads;
        });
  }

  // ---- Linear algebra ----

  /** {@code a·b}: (..., M, K)·(..., K, N) → (..., M, N). */
  public Tensor matmul(Tensor a, Tensor b) {
    return matmul(a, b, false, false);
  }

  /** {@code op(a)·op(b)}, {@code op} transposing the last two axes when asked. */
  public Tensor matmul(Tensor a, Tensor b, boolean ta, boolean tb) {
    f32("matmul", "left operand", a);
    f32("matmul", "right operand", b);
    ShapeRules.matmul(a.shape(), b.shape(), ta, tb);
    Tensor out = backend.matmul(a, b, ta, tb);
    if (!recording(a, b)) {
      return out;
    }
    boolean needA = tape.isTracked(a);
    boolean needB = tape.isTracked(b);
    return record(
        "matmul",
        new Tensor[] {a, b},
        out,
        g -> {
          Tensor da = null;
          Tensor db = null;
          if (needA) {
            da = ta ? backend.matmul(b, g, tb, true) : backend.matmul(g, b, false, !tb);
            da = reduceTo(da, a.shape());
          }
          if (needB) {
            if (b.rank() == 2 && a.rank() > 2 && !ta) {
              // A weight shared by a batch of activations: its gradient is one product over the
              // flattened rows, (B·T, K)ᵀ·(B·T, N), not B products of depth T and a reduction.
              int k = a.shape().dim(-1);
              Tensor a2 = backend.reshape(a, Shape.of(a.size() / k, k));
              int n = g.shape().dim(-1);
              Tensor g2 = backend.reshape(g, Shape.of(g.size() / n, n));
              db = tb ? backend.matmul(g2, a2, true, false) : backend.matmul(a2, g2, true, false);
            } else {
              db = tb ? backend.matmul(g, a, true, ta) : backend.matmul(a, g, !ta, false);
              db = reduceTo(db, b.shape());
            }
          }
          return new Tensor[] {da, db};
        });
  }

  /**
   * A linear layer {@code x · op(w) + bias} over the last axis: {@code x} (..., K), {@code w} (K,
   * N), or (N, K) when {@code transposeW} (PyTorch's {@code nn.Linear} layout), {@code bias} (N)
   * or null. Result (..., N).
   */
  public Tensor linear(Tensor x, Tensor w, boolean transposeW, Tensor bias) {
    f32("linear", "input", x);
    f32("linear", "weight", w);
    if (bias != null) {
      f32("linear", "bias", bias);
    }
    ShapeRules.linear(x.shape(), w.shape(), transposeW, bias == null ? null : bias.shape());
    Tensor out = backend.linear(x, w, transposeW, bias);
    if (!recording(x, w, bias)) {
      return out;
    }
    boolean needX = tape.isTracked(x);
    boolean needW = tape.isTracked(w);
    boolean needBias = bias != null && tape.isTracked(bias);
    return record(
        "linear",
        new Tensor[] {x, w, bias},
        out,
        g -> {
          Tensor dx = needX ? backend.matmul(g, w, false, !transposeW) : null;
          Tensor dw = null;
          if (needW) {
            // One product over the flattened rows: (R, K)ᵀ·(R, N), or (R, N)ᵀ·(R, K) for (N, K).
            int k = x.shape().dim(-1);
            int n = g.shape().dim(-1);
            Tensor x2 = backend.reshape(x, Shape.of(x.size() / k, k));
            Tensor g2 = backend.reshape(g, Shape.of(g.size() / n, n));
            dw = transposeW ? backend.matmul(g2, x2, true, false) : backend.matmul(x2, g2, true, false);
          }
          Tensor db = needBias ? backend.sumTo(g, bias.shape()) : null;
          return new Tensor[] {dx, dw, db};
        });
  }

  /**
   * A linear layer with a reduced-precision weight (inference): {@code x} (..., K), {@code w} of
   * input width K and output width N, {@code bias} (N) or null. Result (..., N). The weight is a
   * constant: the tape records a gradient for {@code x} and {@code bias} only.
   */
  public Tensor linear(Tensor x, QuantizedWeight w, Tensor bias) {
    Objects.requireNonNull(w, "linear: quantized weight");
    f32("linear", "input", x);
    if (bias != null) {
      f32("linear", "bias", bias);
    }
    ShapeRules.linear(x.shape(), w.shape(), false, bias == null ? null : bias.shape());
    Tensor out = backend.quantizedLinear(x, w, bias);
    if (!recording(x, bias)) {
      return out;
    }
    boolean needX = tape.isTracked(x);
    boolean needBias = bias != null && tape.isTracked(bias);
    return record(
        "linear",
        new Tensor[] {x, bias},
        out,
        g -> {
          Tensor dx = null;
          if (needX) {
            Tensor dense = backend.fromHost(w.dequantize(), w.shape());
            dx = backend.matmul(g, dense, false, true);
          }
          Tensor db = needBias ? backend.sumTo(g, bias.shape()) : null;
          return new Tensor[] {dx, db};
        });
  }

  private Tensor reduceTo(Tensor g, Shape target) {
    return g.shape().equals(target) ? g : backend.sumTo(g, target);
  }

  // ---- Elementwise ----

  /** {@code a + b} with broadcasting. */
  public Tensor add(Tensor a, Tensor b) {
    return binary(BinaryOp.ADD, a, b);
  }

  /** {@code a − b} with broadcasting. */
  public Tensor sub(Tensor a, Tensor b) {
    return binary(BinaryOp.SUB, a, b);
  }

  /** {@code a · b} elementwise with broadcasting. */
  public Tensor mul(Tensor a, Tensor b) {
    return binary(BinaryOp.MUL, a, b);
  }

  /** {@code a / b} elementwise with broadcasting. */
  public Tensor div(Tensor a, Tensor b) {
    return binary(BinaryOp.DIV, a, b);
  }

  private Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    String name = op.name().toLowerCase(java.util.Locale.ROOT);
    f32(name, "left operand", a);
    f32(name, "right operand", b);
    ShapeRules.broadcast(name, a.shape(), b.shape());
    Tensor out = backend.binary(op, a, b);
    if (!recording(a, b)) {
      return out;
    }
    boolean needA = tape.isTracked(a);
    boolean needB = tape.isTracked(b);
    return record(
        name,
        new Tensor[] {a, b},
        out,
        g -> {
          Tensor da = null;
          Tensor db = null;
          switch (op) {
            case ADD:
              da = needA ? g : null;
              db = needB ? g : null;
              break;
            case SUB:
              da = needA ? g : null;
              db = needB ? backend.unary(UnaryOp.NEG, g) : null;
              break;
            case MUL:
              da = needA ? backend.binary(BinaryOp.MUL, g, b) : null;
              db = needB ? backend.binary(BinaryOp.MUL, g, a) : null;
              break;
            default:
              da = needA ? backend.binary(BinaryOp.DIV, g, b) : null;
              if (needB) {
                // d(a/b)/db = −a/b² = −out/b
                db =
                    backend.unary(
                        UnaryOp.NEG, backend.binary(BinaryOp.DIV, backend.binary(BinaryOp.MUL, g, out), b));
              }
          }
          return new Tensor[] {
            da == null ? null : reduceTo(da, a.shape()), db == null ? null : reduceTo(db, b.shape())
          };
        });
  }

  /** {@code x·s}. */
  public Tensor scale(Tensor x, float s) {
    return affine(x, s, 0f);
  }

  /** {@code x + c}. */
  public Tensor addScalar(Tensor x, float c) {
    return affine(x, 1f, c);
  }

  /** {@code x·scale + shift}. */
  public Tensor affine(Tensor x, float scale, float shift) {
    f32("affine", "input", x);
    Tensor out = backend.affine(x, scale, shift);
    if (!recording(x)) {
      return out;
    }
    return record("affine", new Tensor[] {x}, out, g -> new Tensor[] {backend.affine(g, scale, 0f)});
  }

  /** −x. */
  public Tensor neg(Tensor x) {
    return unary(UnaryOp.NEG, x);
  }

  /** e^x. */
  public Tensor exp(Tensor x) {
    return unary(UnaryOp.EXP, x);
  }

  /** ln x. */
  public Tensor log(Tensor x) {
    return unary(UnaryOp.LOG, x);
  }

  /** √x. */
  public Tensor sqrt(Tensor x) {
    return unary(UnaryOp.SQRT, x);
  }

  /** x². */
  public Tensor square(Tensor x) {
    return unary(UnaryOp.SQUARE, x);
  }

  /** |x|; it has no gradient (the kink at 0), so it cannot take a tracked input. */
  public Tensor abs(Tensor x) {
    f32("abs", "input", x);
    noGradient("abs", x);
    return backend.unary(UnaryOp.ABS, x);
  }

  private Tensor unary(UnaryOp op, Tensor x) {
    String name = op.name().toLowerCase(java.util.Locale.ROOT);
    f32(name, "input", x);
    if (op == UnaryOp.ABS) {
      return abs(x);
    }
    Tensor out = backend.unary(op, x);
    if (!recording(x)) {
      return out;
    }
    return record(
        name,
        new Tensor[] {x},
        out,
        g -> {
          Tensor dx;
          switch (op) {
            case NEG:
              dx = backend.unary(UnaryOp.NEG, g);
              break;
            case EXP:
              dx = backend.binary(BinaryOp.MUL, g, out);
              break;
            case LOG:
              dx = backend.binary(BinaryOp.DIV, g, x);
              break;
            case SQRT:
              dx = backend.affine(backend.binary(BinaryOp.DIV, g, out), 0.5f, 0f);
              break;
            default: // SQUARE
              dx = backend.affine(backend.binary(BinaryOp.MUL, g, x), 2f, 0f);
          }
          return new Tensor[] {dx};
        });
  }

  /** ReLU. */
  public Tensor relu(Tensor x) {
    return activation(Activation.RELU, x);
  }

  /** Exact GELU (BERT). */
  public Tensor gelu(Tensor x) {
    return activation(Activation.GELU, x);
  }

  /** GELU's tanh approximation (GPT-2's {@code gelu_new}). */
  public Tensor geluTanh(Tensor x) {
    return activation(Activation.GELU_TANH, x);
  }

  /** SiLU (swish). */
  public Tensor silu(Tensor x) {
    return activation(Activation.SILU, x);
  }

  /** tanh. */
  public Tensor tanh(Tensor x) {
    return activation(Activation.TANH, x);
  }

  /** Logistic sigmoid. */
  public Tensor sigmoid(Tensor x) {
    return activation(Activation.SIGMOID, x);
  }

  /** Any nonlinearity by enum. */
  public Tensor activation(Activation f, Tensor x) {
    String name = f.name().toLowerCase(java.util.Locale.ROOT);
    f32(name, "input", x);
    Tensor out = backend.activation(f, x);
    if (!recording(x)) {
      return out;
    }
    return record(name, new Tensor[] {x}, out, g -> new Tensor[] {backend.activationBackward(f, x, g)});
  }

  // ---- Reductions ----

  /** Sum along {@code axis}. */
  public Tensor sum(Tensor x, int axis, boolean keepDim) {
    return reduce(ReduceOp.SUM, x, axis, keepDim);
  }

  /** Mean along {@code axis}. */
  public Tensor mean(Tensor x, int axis, boolean keepDim) {
    return reduce(ReduceOp.MEAN, x, axis, keepDim);
  }

  /** Maximum along {@code axis}; it has no gradient, so it cannot take a tracked input. */
  public Tensor max(Tensor x, int axis, boolean keepDim) {
    noGradient("max", x);
    return reduce(ReduceOp.MAX, x, axis, keepDim);
  }

  /** Sum of all elements, as a scalar. */
  public Tensor sumAll(Tensor x) {
    return sum(reshape(x, x.size()), 0, false);
  }

  /** Mean of all elements, as a scalar. */
  public Tensor meanAll(Tensor x) {
    return mean(reshape(x, x.size()), 0, false);
  }

  private Tensor reduce(ReduceOp op, Tensor x, int axis, boolean keepDim) {
    String name = op.name().toLowerCase(java.util.Locale.ROOT);
    f32(name, "input", x);
    int a = x.shape().axis(axis);
    ShapeRules.reduce(name, x.shape(), a, keepDim);
    Tensor out = backend.reduce(op, x, a, keepDim);
    if (!recording(x)) {
      return out;
    }
    Shape sx = x.shape();
    Shape kept = sx.with(a, 1);
    float factor = op == ReduceOp.MEAN ? 1f / sx.dim(a) : 1f;
    return record(
        name,
        new Tensor[] {x},
        out,
        g -> {
          Tensor gk = backend.reshape(g, kept);
          Tensor dx = backend.broadcastTo(gk, sx);
          return new Tensor[] {factor == 1f ? dx : backend.affine(dx, factor, 0f)};
        });
  }

  // ---- Softmax and normalization ----

  /** Softmax over the last axis. */
  public Tensor softmax(Tensor x) {
    return softmax(x, null, false);
  }

  /**
   * Softmax over the last axis of {@code x + mask} ({@code mask} additive and broadcastable, or
   * null); when {@code causal}, query i of the last two axes sees keys j ≤ i + Tk − Tq. The mask
   * takes no gradient.
   */
  public Tensor softmax(Tensor x, Tensor mask, boolean causal) {
    f32("softmax", "input", x);
    if (mask != null) {
      f32("softmax", "mask", mask);
      ShapeRules.mask("softmax", x.shape(), mask.shape());
    }
    if (x.rank() == 0) {
      throw new IllegalArgumentException("softmax: input must have rank >= 1, got " + x.shape());
    }
    Tensor out = backend.softmax(x, mask, causal);
    if (!recording(x)) {
      return out;
    }
    return record(
        "softmax", new Tensor[] {x}, out, g -> new Tensor[] {backend.softmaxBackward(out, g)});
  }

  /** log(softmax(x)) over the last axis: log-probabilities. */
  public Tensor logSoftmax(Tensor x) {
    f32("log_softmax", "input", x);
    if (x.rank() == 0) {
      throw new IllegalArgumentException("log_softmax: input must have rank >= 1, got " + x.shape());
    }
    Tensor out = backend.logSoftmax(x);
    if (!recording(x)) {
      return out;
    }
    return record(
        "log_softmax",
        new Tensor[] {x},
        out,
        g -> new Tensor[] {backend.logSoftmaxBackward(out, g)});
  }

  /** Layer normalization over the last axis; {@code gamma}, {@code beta}: (C). */
  public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    f32("layer_norm", "input", x);
    f32("layer_norm", "weight", gamma);
    f32("layer_norm", "bias", beta);
    ShapeRules.normParams("layer_norm", x.shape(), gamma.shape(), beta.shape());
    Tensor out = backend.layerNorm(x, gamma, beta, eps);
    if (!recording(x, gamma, beta)) {
      return out;
    }
    return record(
        "layer_norm",
        new Tensor[] {x, gamma, beta},
        out,
        g -> backend.layerNormBackward(x, gamma, eps, g));
  }

  /** RMS normalization over the last axis; {@code gamma}: (C). */
  public Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
    f32("rms_norm", "input", x);
    f32("rms_norm", "weight", gamma);
    ShapeRules.normParams("rms_norm", x.shape(), gamma.shape(), null);
    Tensor out = backend.rmsNorm(x, gamma, eps);
    if (!recording(x, gamma)) {
      return out;
    }
    return record(
        "rms_norm", new Tensor[] {x, gamma}, out, g -> backend.rmsNormBackward(x, gamma, eps, g));
  }

  // ---- Embeddings, dropout, loss ----

  /** Rows of {@code table} (V, C) at {@code ids} (...) → (..., C). */
  public Tensor embedding(Tensor table, Tensor ids) {
    f32("embedding", "table", table);
    i32("embedding", "ids", ids);
    if (table.rank() != 2) {
      throw new IllegalArgumentException("embedding: table must be (V, C), got " + table.shape());
    }
    Tensor out = backend.embedding(table, ids);
    if (!recording(table)) {
      return out;
    }
    int v = table.shape().dim(0);
    return record(
        "embedding",
        new Tensor[] {table, ids},
        out,
        g -> new Tensor[] {backend.embeddingBackward(ids, g, v), null});
  }

  /**
   * Inverted dropout with probability {@code p} and an explicit {@code seed}; {@code p == 0} is the
   * identity (use it in evaluation).
   */
  public Tensor dropout(Tensor x, float p, long seed) {
    f32("dropout", "input", x);
    if (!(p >= 0f && p < 1f)) {
      throw new IllegalArgumentException("dropout: probability must be in [0, 1), got " + p);
    }
    if (p == 0f) {
      return x;
    }
    Tensor out = backend.dropout(x, p, seed);
    if (!recording(x)) {
      return out;
    }
    return record("dropout", new Tensor[] {x}, out, g -> new Tensor[] {backend.dropout(g, p, seed)});
  }

  /** Mean cross-entropy of {@code logits} (..., V) against ids {@code targets} (...). */
  public Tensor crossEntropy(Tensor logits, Tensor targets) {
    return crossEntropy(logits, targets, -100, 0f);
  }

  /**
   * Mean cross-entropy over the targets not equal to {@code ignoreIndex}, with label smoothing.
   * {@code logits}: (..., V); {@code targets}: (...) I32. Result: a scalar.
   */
  public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing) {
    f32("cross_entropy", "logits", logits);
    i32("cross_entropy", "targets", targets);
    if (logits.rank() < 1 || !targets.shape().equals(logits.shape().prefix(logits.rank() - 1))) {
      throw new IllegalArgumentException(
          "cross_entropy: logits " + logits.shape() + " need targets of shape "
              + (logits.rank() < 1 ? "(..., V)" : logits.shape().prefix(logits.rank() - 1))
              + ", got " + targets.shape());
    }
    if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) {
      throw new IllegalArgumentException(
          "cross_entropy: label smoothing must be in [0, 1), got " + labelSmoothing);
    }
    int v = logits.shape().dim(-1);
    int n = logits.size() / Math.max(1, v);
    Tensor flat = backend.reshape(logits, Shape.of(n, v));
    Tensor t = backend.reshape(targets, Shape.of(n));
    Tensor out = backend.crossEntropy(flat, t, ignoreIndex, labelSmoothing);
    if (!recording(logits)) {
      return out;
    }
    Shape sl = logits.shape();
    return record(
        "cross_entropy",
        new Tensor[] {logits, targets},
        out,
        g -> {
          Float known = tape.constant(g);
          float dLoss = known != null ? known : g.item();
          Tensor d = backend.crossEntropyBackward(flat, t, ignoreIndex, labelSmoothing, dLoss);
          return new Tensor[] {backend.reshape(d, sl), null};
        });
  }

  // ---- Attention ----

  /**
   * Scaled dot-product attention {@code softmax(q·kᵀ·scale + mask)·v}; q (B, nh, Tq, hs), k and v
   * (B, nh, Tk, hs), mask additive and broadcastable to (B, nh, Tq, Tk) or null. Result (B, nh, Tq,
   * hs).
   */
  public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale) {
    f32("attention", "q", q);
    f32("attention", "k", k);
    f32("attention", "v", v);
    if (mask != null) {
      f32("attention", "mask", mask);
    }
    ShapeRules.attention(q.shape(), k.shape(), v.shape(), mask == null ? null : mask.shape());
    Tensor out = backend.attention(q, k, v, mask, causal, scale);
    if (!recording(q, k, v)) {
      return out;
    }
    return record(
        "attention",
        new Tensor[] {q, k, v},
        out,
        g -> backend.attentionBackward(q, k, v, mask, causal, scale, g));
  }

  // ---- Recurrent step ----

  /**
   * One fused time step of a recurrent cell (see {@link ComputeBackend#recurrentStep}):
   * {@code gx} the step's input projection (B, G·H), {@code h} (B, H), {@code c} (B, H) for the
   * LSTM and null otherwise, {@code whh} (G·H, H), {@code bhh} (G·H) or null. Result: the new
   * state, (B, H), or (B, 2H) holding {@code [h', c']} for the LSTM. The gate activations the
   * backward needs stay with the tape, not with the caller.
   */
  public Tensor recurrentStep(
      RecurrentCell cell, Tensor gx, Tensor h, Tensor c, Tensor whh, Tensor bhh) {
    Objects.requireNonNull(cell, "recurrent_step: cell");
    String op = "recurrent_step";
    f32(op, "input projection gx", gx);
    f32(op, "hidden state h", h);
    if (c != null) {
      f32(op, "cell state c", c);
    }
    f32(op, "W_hh", whh);
    if (bhh != null) {
      f32(op, "b_hh", bhh);
    }
    ShapeRules.recurrentStep(cell, gx.shape(), h.shape(), c == null ? null : c.shape(), whh.shape(),
        bhh == null ? null : bhh.shape());
    Tensor[] out = backend.recurrentStep(cell, gx, h, c, whh, bhh);
    Tensor state = out[0];
    if (!recording(gx, h, c, whh, bhh)) {
      if (out[1] != null) {
        out[1].close();
      }
      return state;
    }
    Tensor saved = out[1];
    return record(
        op,
        new Tensor[] {gx, h, c, whh, bhh},
        state,
        g -> backend.recurrentStepBackward(cell, h, c, whh, bhh, state, saved, g));
  }

  /**
   * The whole time loop of one recurrent layer and direction in one op (see {@link
   * ComputeBackend#recurrentSequence}): {@code gx} every step's input projection (T, B, G·H),
   * time-major; {@code h0} (B, H); {@code c0} (B, H) for the LSTM and null otherwise; {@code whh}
   * (G·H, H); {@code bhh} (G·H) or null; {@code reverse} runs the steps from T − 1 down. Result:
   * each step's state at its time index, (T, B, H), or (T, B, 2H) holding {@code [h', c']} for the
   * LSTM. One tape entry covers all T steps.
   */
  public Tensor recurrentSequence(
      RecurrentCell cell, Tensor gx, Tensor h0, Tensor c0, Tensor whh, Tensor bhh,
      boolean reverse) {
    Objects.requireNonNull(cell, "recurrent_sequence: cell");
    String op = "recurrent_sequence";
    f32(op, "input projections gx", gx);
    f32(op, "initial hidden state h0", h0);
    if (c0 != null) {
      f32(op, "initial cell state c0", c0);
    }
    f32(op, "W_hh", whh);
    if (bhh != null) {
      f32(op, "b_hh", bhh);
    }
    ShapeRules.recurrentSequence(cell, gx.shape(), h0.shape(), c0 == null ? null : c0.shape(),
        whh.shape(), bhh == null ? null : bhh.shape());
    Tensor[] out = backend.recurrentSequence(cell, gx, h0, c0, whh, bhh, reverse);
    Tensor states = out[0];
    if (!recording(gx, h0, c0, whh, bhh)) {
      if (out[1] != null) {
        out[1].close();
      }
      return states;
    }
    Tensor saved = out[1];
    return record(
        op,
        new Tensor[] {gx, h0, c0, whh, bhh},
        states,
        g -> backend.recurrentSequenceBackward(
            cell, gx, h0, c0, whh, bhh, reverse, states, saved, g));
  }
}
