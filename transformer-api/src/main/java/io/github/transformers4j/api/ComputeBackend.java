package io.github.transformers4j.api;

import java.util.List;

/**
 * The compute-backend SPI: a small set of primitive kernels named after the math, and the
 * backward kernel of each. Layers never call a backend directly; they go through
 * {@link io.github.transformers4j.api.Ops}, which checks shapes before dispatching here, so kernels
 * may assume valid, contiguous, row-major inputs that live on this backend.
 *
 * <p>Thread safety: a backend may be called from several threads at once (the built-in ones
 * say so in their class comments; the {@code cpu} backend gives each caller the bits it would
 * get alone). Kernels return new tensors and never modify their inputs. Nothing here forces a host copy:
 * inputs and outputs stay in backend memory, and only {@link #fromHost} and
 * {@link Tensor#toFloatArray()} cross the boundary.
 *
 * <p>Backward kernels: where the derivative is itself one of the forward kernels it is not
 * repeated (matmul's gradients are matmuls with transposes; a broadcast's is {@link #sumTo}; a
 * dropout's is the same dropout with the same seed). The fused attention kernel and its backward
 * have composed default implementations, so a backend without them never throws "unsupported".
 *
 * <p>Implementations must be safe for use by one thread at a time per tensor; the CPU backend
 * parallelizes inside kernels.
 */
public interface ComputeBackend extends AutoCloseable {

  /** The registry name of this backend ({@code cpu}, {@code aparapi}, ...). */
  String name();

  /** One line describing the device and settings, for {@code t4j backends} and logs. */
  String description();

  // ---- Memory ----

  /** A new {@code F32} tensor holding a copy of {@code data} (row-major). */
  Tensor fromHost(float[] data, Shape shape);

  /** A new {@code I32} tensor holding a copy of {@code data} (row-major). */
  Tensor fromHost(int[] data, Shape shape);

  /** A new tensor of zeros. */
  Tensor zeros(Shape shape, DType dtype);

  /** The same elements under another shape of equal size (a view when the backend can). */
  Tensor reshape(Tensor x, Shape shape);

  /** A copy with the axes reordered: output axis {@code i} is input axis {@code axes[i]}. */
  Tensor permute(Tensor x, int[] axes);

  /** A copy of {@code x[..., start:end, ...]} along {@code axis}. */
  Tensor slice(Tensor x, int axis, int start, int end);

  /** Tensors of equal shape but for {@code axis}, joined along it. */
  Tensor concat(List<Tensor> parts, int axis);

  // ---- Linear algebra ----

  /**
   * Batched matrix product {@code op(a) · op(b)} where {@code op} transposes the last two axes
   * when asked. {@code a}: (..., M, K) or (..., K, M) transposed; {@code b}: (..., K, N) or
   * (..., N, K) transposed. The batch axes are equal, or one operand is a plain matrix shared by
   * every batch. Result (..., M, N).
   */
  Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB);

  /**
   * A linear layer, {@code x · op(w) + bias}: {@code x} (..., K), {@code w} (K, N), or (N, K) as
   * PyTorch's {@code nn.Linear} stores it when {@code transposeW}, {@code bias} (N) added to every
   * row, or null. Result (..., N). The default composes {@link #matmul} and {@link #binary};
   * backends override it to add the bias inside the product instead of in a pass of its own.
   */
  default Tensor linear(Tensor x, Tensor w, boolean transposeW, Tensor bias) {
    Tensor y = matmul(x, w, false, transposeW);
    return bias == null ? y : binary(BinaryOp.ADD, y, bias);
  }

  /**
   * A linear layer with a reduced-precision weight, {@code x · W + bias}: {@code x} (..., K),
   * {@code w} an int8 or bf16 weight of input width K and output width N, {@code bias} (N) or
   * null. Result (..., N). The default dequantizes {@code w} to floats and calls {@link #linear}
   * (a backend without a kernel for the format still runs it, at fp32 cost); the cpu backend reads
   * the int8 or bf16 values in place.
   */
  default Tensor quantizedLinear(Tensor x, QuantizedWeight w, Tensor bias) {
    Tensor dense = fromHost(w.dequantize(), w.shape());
    try {
      return linear(x, dense, false, bias);
    } finally {
      dense.close();
    }
  }

  // ---- Elementwise ----

  /** {@code a op b} with numpy broadcasting; result has the broadcast shape. */
  Tensor binary(BinaryOp op, Tensor a, Tensor b);

  /** {@code f(x)} elementwise. */
  Tensor unary(UnaryOp op, Tensor x);

  /** {@code x·scale + shift} elementwise. */
  Tensor affine(Tensor x, float scale, float shift);

  /** {@code f(x)} for a nonlinearity. */
  Tensor activation(Activation f, Tensor x);

  /** {@code dy·f'(x)}, the backward of {@link #activation}. */
  Tensor activationBackward(Activation f, Tensor x, Tensor dy);

  // ---- Reductions ----

  /** Reduces along {@code axis}; the axis is kept with size 1 when {@code keepDim}. */
  Tensor reduce(ReduceOp op, Tensor x, int axis, boolean keepDim);

  /**
   * Sums {@code x} down to {@code target}, a shape that broadcasts to {@code x.shape()}: the
   * backward of broadcasting.
   */
  Tensor sumTo(Tensor x, Shape target);

  /** Broadcasts {@code x} to {@code target} (a copy). */
  Tensor broadcastTo(Tensor x, Shape target);

  // ---- Softmax and normalization ----

  /**
   * Softmax over the last axis of {@code x + mask}. {@code mask} is additive (0 to keep, a large
   * negative number or -inf to hide), broadcastable to {@code x}, or {@code null}. When
   * {@code causal}, for the last two axes (Tq, Tk) query {@code i} sees key {@code j} only if
   * {@code j <= i + Tk - Tq}. A row that sees nothing yields zeros, not NaN.
   */
  Tensor softmax(Tensor x, Tensor mask, boolean causal);

  /** {@code y·(dy − Σ dy·y)} over the last axis: the backward of softmax given its output. */
  Tensor softmaxBackward(Tensor y, Tensor dy);

  /** log(softmax(x)) over the last axis, computed stably. */
  Tensor logSoftmax(Tensor x);

  /** {@code dy − exp(y)·Σ dy} over the last axis: the backward of log-softmax given its output. */
  Tensor logSoftmaxBackward(Tensor y, Tensor dy);

  /**
   * Layer normalization over the last axis: {@code (x − mean)/sqrt(var + eps)·gamma + beta}, with
   * the biased variance. {@code gamma} and {@code beta}: (C).
   */
  Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);

  /** Gradients of {@link #layerNorm}: {@code {dx, dgamma, dbeta}}. */
  Tensor[] layerNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy);

  /** RMS normalization over the last axis: {@code x / sqrt(mean(x²) + eps)·gamma}. */
  Tensor rmsNorm(Tensor x, Tensor gamma, float eps);

  /** Gradients of {@link #rmsNorm}: {@code {dx, dgamma}}. */
  Tensor[] rmsNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy);

  // ---- Embeddings, dropout, loss ----

  /** Rows of {@code table} (V, C) picked by the {@code I32} {@code ids} (...): result (..., C). */
  Tensor embedding(Tensor table, Tensor ids);

  /** Scatter-add of {@code dy} (..., C) into a (V, C) zero table at rows {@code ids}. */
  Tensor embeddingBackward(Tensor ids, Tensor dy, int vocabSize);

  /**
   * Inverted dropout: each element is zeroed with probability {@code p} and the survivors scaled by
   * 1/(1−p). The keep decision for element {@code i} is a pure function of {@code (seed, i)}
   * (see {@link Dropout#keep}), so every backend drops the same elements and the backward is the
   * same call on the output gradient.
   */
  Tensor dropout(Tensor x, float p, long seed);

  /**
   * Mean cross-entropy of {@code logits} (N, V) against {@code I32 targets} (N), skipping targets
   * equal to {@code ignoreIndex}; with label smoothing {@code eps} the target distribution is
   * {@code (1−eps)·onehot + eps/V}. A batch whose targets are all ignored has loss 0. Result: a
   * scalar.
   */
  Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing);

  /** Gradient of {@link #crossEntropy} with respect to the logits, scaled by {@code dLoss}. */
  Tensor crossEntropyBackward(
      Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing, float dLoss);

  // ---- Attention ----

  /**
   * Fused scaled-dot-product attention {@code softmax(q·kᵀ·scale + mask)·v}. {@code q}: (B, nh,
   * Tq, hs); {@code k}, {@code v}: (B, nh, Tk, hs); {@code mask} additive, broadcastable to (B,
   * nh, Tq, Tk), or {@code null}; {@code causal} as in {@link #softmax}. Result (B, nh, Tq, hs).
   *
   * <p>The default composes matmul and softmax; backends override it with a kernel that does not
   * materialize the score matrix.
   */
  default Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale) {
    Tensor scores = affine(matmul(q, k, false, true), scale, 0f);
    Tensor p = softmax(scores, mask, causal);
    return matmul(p, v, false, false);
  }

  /**
   * Gradients of {@link #attention}: {@code {dq, dk, dv}}. The default recomputes the
   * probabilities and composes the kernels.
   */
  default Tensor[] attentionBackward(
      Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale, Tensor dOut) {
    Tensor scores = affine(matmul(q, k, false, true), scale, 0f);
    Tensor p = softmax(scores, mask, causal);
    Tensor dv = matmul(p, dOut, true, false);
    Tensor dp = matmul(dOut, v, false, true);
    Tensor ds = affine(softmaxBackward(p, dp), scale, 0f);
    Tensor dq = matmul(ds, k, false, false);
    Tensor dk = matmul(ds, q, true, false);
    return new Tensor[] {dq, dk, dv};
  }

  // ---- Recurrent step ----

  /**
   * One fused time step of a recurrent cell: the hidden projection {@code h·W_hhᵀ + b_hh}, every
   * gate, its nonlinearity and the new state. {@code gx}: the step's input projection (B, G·H);
   * {@code h} (B, H); {@code c} (B, H) for the LSTM, else null; {@code whh} (G·H, H) as PyTorch
   * stores it; {@code bhh} (G·H) or null. Returns {@code {state, saved}}: the new state (B, H), or
   * (B, 2H) holding {@code [h', c']} for the LSTM, and what {@link #recurrentStepBackward} needs,
   * the gate activations (B, {@link RecurrentCell#savedBlocks()}·H), or null for the RNN.
   *
   * <p>The default composes the primitive kernels; the cpu backend runs the gates in one pass.
   */
  default Tensor[] recurrentStep(
      RecurrentCell cell, Tensor gx, Tensor h, Tensor c, Tensor whh, Tensor bhh) {
    int hs = h.shape().dim(1);
    Tensor gh = linear(h, whh, true, bhh); // (B, G·H)
    switch (cell) {
      case RNN_TANH, RNN_RELU -> {
        Tensor pre = binary(BinaryOp.ADD, gx, gh);
        Activation f = cell == RecurrentCell.RNN_TANH ? Activation.TANH : Activation.RELU;
        return new Tensor[] {activation(f, pre), null};
      }
      case LSTM -> {
        Tensor pre = binary(BinaryOp.ADD, gx, gh);
        Tensor i = activation(Activation.SIGMOID, slice(pre, 1, 0, hs));
        Tensor f = activation(Activation.SIGMOID, slice(pre, 1, hs, 2 * hs));
        Tensor g = activation(Activation.TANH, slice(pre, 1, 2 * hs, 3 * hs));
        Tensor o = activation(Activation.SIGMOID, slice(pre, 1, 3 * hs, 4 * hs));
        Tensor c2 = binary(BinaryOp.ADD, binary(BinaryOp.MUL, f, c), binary(BinaryOp.MUL, i, g));
        Tensor h2 = binary(BinaryOp.MUL, o, activation(Activation.TANH, c2));
        return new Tensor[] {concat(List.of(h2, c2), 1), concat(List.of(i, f, g, o), 1)};
      }
      case GRU -> {
        Tensor r = activation(Activation.SIGMOID,
            binary(BinaryOp.ADD, slice(gx, 1, 0, hs), slice(gh, 1, 0, hs)));
        Tensor z = activation(Activation.SIGMOID,
            binary(BinaryOp.ADD, slice(gx, 1, hs, 2 * hs), slice(gh, 1, hs, 2 * hs)));
        Tensor ghn = slice(gh, 1, 2 * hs, 3 * hs);
        Tensor n = activation(Activation.TANH,
            binary(BinaryOp.ADD, slice(gx, 1, 2 * hs, 3 * hs), binary(BinaryOp.MUL, r, ghn)));
        Tensor h2 = binary(BinaryOp.ADD, n, binary(BinaryOp.MUL, z, binary(BinaryOp.SUB, h, n)));
        return new Tensor[] {h2, concat(List.of(r, z, n, ghn), 1)};
      }
      default -> throw new IllegalArgumentException("recurrent_step: unknown cell " + cell);
    }
  }

  /**
   * Gradients of {@link #recurrentStep}: {@code {dgx, dh, dc, dW_hh, db_hh}} ({@code dc} null
   * unless LSTM, {@code db_hh} null when {@code bhh} is). {@code state} and {@code saved} are what
   * the forward returned; {@code dState} has the state's shape.
   */
  default Tensor[] recurrentStepBackward(
      RecurrentCell cell, Tensor h, Tensor c, Tensor whh, Tensor bhh, Tensor state, Tensor saved,
      Tensor dState) {
    int hs = h.shape().dim(1);
    Tensor dgx;
    Tensor dgh;
    Tensor dhDirect = null;
    Tensor dc = null;
    switch (cell) {
      case RNN_TANH -> {
        // tanh' = 1 − h'²
        Tensor one = affine(binary(BinaryOp.MUL, state, state), -1f, 1f);
        dgx = binary(BinaryOp.MUL, dState, one);
        dgh = dgx;
      }
      case RNN_RELU -> {
        // h' > 0 exactly where the pre-activation was, so relu'(pre) = relu'(h').
        dgx = activationBackward(Activation.RELU, state, dState);
        dgh = dgx;
      }
      case LSTM -> {
        Tensor i = slice(saved, 1, 0, hs);
        Tensor f = slice(saved, 1, hs, 2 * hs);
        Tensor g = slice(saved, 1, 2 * hs, 3 * hs);
        Tensor o = slice(saved, 1, 3 * hs, 4 * hs);
        Tensor tc = activation(Activation.TANH, slice(state, 1, hs, 2 * hs));
        Tensor dh2 = slice(dState, 1, 0, hs);
        Tensor dct = binary(BinaryOp.ADD, slice(dState, 1, hs, 2 * hs),
            binary(BinaryOp.MUL, binary(BinaryOp.MUL, dh2, o),
                affine(binary(BinaryOp.MUL, tc, tc), -1f, 1f)));
        Tensor di = binary(BinaryOp.MUL, binary(BinaryOp.MUL, dct, g), sigmoidSlope(i));
        Tensor df = binary(BinaryOp.MUL, binary(BinaryOp.MUL, dct, c), sigmoidSlope(f));
        Tensor dg = binary(BinaryOp.MUL, binary(BinaryOp.MUL, dct, i),
            affine(binary(BinaryOp.MUL, g, g), -1f, 1f));
        Tensor dout = binary(BinaryOp.MUL, binary(BinaryOp.MUL, dh2, tc), sigmoidSlope(o));
        dgx = concat(List.of(di, df, dg, dout), 1);
        dgh = dgx;
        dc = binary(BinaryOp.MUL, dct, f);
      }
      case GRU -> {
        Tensor r = slice(saved, 1, 0, hs);
        Tensor z = slice(saved, 1, hs, 2 * hs);
        Tensor n = slice(saved, 1, 2 * hs, 3 * hs);
        Tensor ghn = slice(saved, 1, 3 * hs, 4 * hs);
        Tensor dnPre = binary(BinaryOp.MUL, binary(BinaryOp.MUL, dState, affine(z, -1f, 1f)),
            affine(binary(BinaryOp.MUL, n, n), -1f, 1f));
        Tensor dzPre = binary(BinaryOp.MUL,
            binary(BinaryOp.MUL, dState, binary(BinaryOp.SUB, h, n)), sigmoidSlope(z));
        Tensor drPre = binary(BinaryOp.MUL, binary(BinaryOp.MUL, dnPre, ghn), sigmoidSlope(r));
        dgx = concat(List.of(drPre, dzPre, dnPre), 1);
        dgh = concat(List.of(drPre, dzPre, binary(BinaryOp.MUL, dnPre, r)), 1);
        dhDirect = binary(BinaryOp.MUL, dState, z);
      }
      default -> throw new IllegalArgumentException("recurrent_step: unknown cell " + cell);
    }
    Tensor dh = matmul(dgh, whh, false, false); // (B, G·H)·(G·H, H) -> (B, H)
    if (dhDirect != null) {
      dh = binary(BinaryOp.ADD, dh, dhDirect);
    }
    Tensor dw = matmul(dgh, h, true, false); // (G·H, B)·(B, H) -> (G·H, H)
    Tensor db = bhh == null ? null : reduce(ReduceOp.SUM, dgh, 0, false);
    return new Tensor[] {dgx, dh, dc, dw, db};
  }

  // ---- Recurrent sequence: the whole time loop of one layer and direction ----

  /**
   * A whole sequence of {@link #recurrentStep}s, one layer and one direction: the time loop a
   * recurrent layer runs after projecting every step's input in one product. {@code gx} (T, B, G·H)
   * time-major; {@code h0} (B, H); {@code c0} (B, H) for the LSTM, else null; {@code whh}, {@code
   * bhh} as for the step. With {@code reverse} the steps run from T − 1 down to 0. Returns {@code
   * {states, saved}}: {@code states} (T, B, H) holds each step's new h (for the LSTM (T, B, 2H),
   * each step's {@code [h', c']}, as the step's state), at the step's own time index; {@code saved}
   * is whatever {@link #recurrentSequenceBackward} of the same backend needs besides, or null.
   *
   * <p>The default runs {@link #recurrentStep} once per step and saves nothing (its backward
   * recomputes the steps); the cpu backend runs the loop in one call and allocates only its
   * outputs.
   */
  default Tensor[] recurrentSequence(
      RecurrentCell cell, Tensor gx, Tensor h0, Tensor c0, Tensor whh, Tensor bhh,
      boolean reverse) {
    return new Tensor[] {runSteps(cell, gx, h0, c0, whh, bhh, reverse, null), null};
  }

  /**
   * Gradients of {@link #recurrentSequence}: {@code {dgx, dh0, dc0, dW_hh, db_hh}} ({@code dc0}
   * null unless LSTM, {@code db_hh} null when {@code bhh} is). {@code states} and {@code saved} are
   * what the forward returned; {@code dStates} has the states' shape. The default recomputes the
   * steps and composes {@link #recurrentStepBackward}.
   */
  default Tensor[] recurrentSequenceBackward(
      RecurrentCell cell, Tensor gx, Tensor h0, Tensor c0, Tensor whh, Tensor bhh, boolean reverse,
      Tensor states, Tensor saved, Tensor dStates) {
    int t = gx.shape().dim(0);
    int b = h0.shape().dim(0);
    int hs = h0.shape().dim(1);
    int sw = dStates.shape().dim(2);
    Tensor[][] steps = new Tensor[t][];
    runSteps(cell, gx, h0, c0, whh, bhh, reverse, steps);
    Tensor[] dgx = new Tensor[t];
    Tensor dh = zeros(h0.shape(), DType.F32);
    Tensor dc = c0 == null ? null : zeros(c0.shape(), DType.F32);
    Tensor dw = zeros(whh.shape(), DType.F32);
    Tensor db = bhh == null ? null : zeros(bhh.shape(), DType.F32);
    for (int s = t - 1; s >= 0; s--) {
      int at = reverse ? t - 1 - s : s;
      // the gradient reaching this step's state: from its output and from the step after it
      Tensor dState = reshape(slice(dStates, 0, at, at + 1), Shape.of(b, sw));
      dState = binary(BinaryOp.ADD, dState, dc == null ? dh : concat(List.of(dh, dc), 1));
      Tensor[] st = steps[at]; // {h, c, state, saved}
      Tensor[] g = recurrentStepBackward(cell, st[0], st[1], whh, bhh, st[2], st[3], dState);
      dgx[at] = reshape(g[0], Shape.of(1, b, cell.gates() * hs));
      dh = g[1];
      dc = g[2];
      dw = binary(BinaryOp.ADD, dw, g[3]);
      if (db != null) {
        db = binary(BinaryOp.ADD, db, g[4]);
      }
    }
    return new Tensor[] {concat(List.of(dgx), 0), dh, dc, dw, db};
  }

  /**
   * The steps of {@link #recurrentSequence} through {@link #recurrentStep}; when {@code keep} is
   * given, each step's {@code {h, c, state, saved}} at its time index.
   */
  private Tensor runSteps(
      RecurrentCell cell, Tensor gx, Tensor h0, Tensor c0, Tensor whh, Tensor bhh, boolean reverse,
      Tensor[][] keep) {
    int t = gx.shape().dim(0);
    int b = h0.shape().dim(0);
    int hs = h0.shape().dim(1);
    int g = cell.gates() * hs;
    Tensor h = h0;
    Tensor c = c0;
    Tensor[] out = new Tensor[t];
    for (int s = 0; s < t; s++) {
      int at = reverse ? t - 1 - s : s;
      Tensor x = reshape(slice(gx, 0, at, at + 1), Shape.of(b, g)); // (1, B, G·H) -> (B, G·H)
      Tensor[] r = recurrentStep(cell, x, h, c, whh, bhh);
      if (keep != null) {
        keep[at] = new Tensor[] {h, c, r[0], r[1]};
      }
      out[at] = reshape(r[0], Shape.of(1, b, r[0].shape().dim(1)));
      h = cell.hasCell() ? slice(r[0], 1, 0, hs) : r[0];
      c = cell.hasCell() ? slice(r[0], 1, hs, 2 * hs) : null;
    }
    return concat(List.of(out), 0);
  }

  private Tensor sigmoidSlope(Tensor s) {
    // σ' = σ·(1 − σ), from the activation itself
    return binary(BinaryOp.MUL, s, affine(s, -1f, 1f));
  }

  // ---- Where the kernels run ----

  /**
   * The kernels of this SPI in declaration order, one name per method (the two {@code fromHost}
   * overloads share one): the lines of {@code t4j backends --kernels}.
   */
  static List<String> kernelNames() {
    return List.of(
        "fromHost", "zeros", "reshape", "permute", "slice", "concat", "matmul", "linear",
        "quantizedLinear", "binary", "unary", "affine", "activation", "activationBackward",
        "reduce", "sumTo", "broadcastTo", "softmax", "softmaxBackward", "logSoftmax",
        "logSoftmaxBackward", "layerNorm", "layerNormBackward", "rmsNorm", "rmsNormBackward",
        "embedding", "embeddingBackward", "dropout", "crossEntropy", "crossEntropyBackward",
        "attention", "attentionBackward", "recurrentStep", "recurrentStepBackward",
        "recurrentSequence", "recurrentSequenceBackward");
  }

  /**
   * Whether {@code kernel}, one of {@link #kernelNames()}, runs on this backend's device without
   * a host copy of its tensors; a composed default counts when all its parts do. The default says
   * yes to every kernel, which is true of backends whose memory is the host's (cpu, reference); a
   * device backend that runs a kernel through the host overrides this and says no.
   *
   * @throws IllegalArgumentException when {@code kernel} is not a kernel of the SPI
   */
  default boolean runsOnDevice(String kernel) {
    if (!kernelNames().contains(kernel)) {
      throw new IllegalArgumentException(
          "'" + kernel + "' is not a kernel of the backend SPI; kernels: " + kernelNames());
    }
    return true;
  }

  /**
   * Whether this backend's tensors live in host memory, so that reading one back is a copy, not a
   * transfer (cpu, reference: the default). Callers that keep state between kernels decide by it:
   * the trainer keeps gradient sums and optimizer moments in host arrays on such a backend (the
   * arithmetic of the host loops, bit for bit) and as tensors on a device backend, which answers
   * false.
   */
  default boolean tensorsInHostMemory() {
    return true;
  }

  /**
   * The counter of this backend's live tensor bytes and their high-water mark, when the backend
   * tracks them (the cpu backend with its {@code track_memory} option); empty otherwise.
   */
  default java.util.Optional<TensorMemory> memory() {
    return java.util.Optional.empty();
  }

  /**
   * Blocks until every kernel this backend has queued has completed. Results never need it (reading
   * a tensor waits for the kernels that wrote it); a benchmark does, since a backend may return
   * from a kernel call before the device has run it (aparapi queues its kernels). The default does
   * nothing: the cpu and reference backends finish each kernel before returning.
   */
  default void finish() {}

  /** Releases the backend's resources (thread pools, device contexts). */
  @Override
  default void close() {}
}
