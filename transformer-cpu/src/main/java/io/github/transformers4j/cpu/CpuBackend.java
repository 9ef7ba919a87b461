package io.github.transformers4j.cpu;

import io.github.transformers4j.api.reference.HostMemory;
import io.github.transformers4j.api.reference.HostTensor;
import io.github.transformers4j.api.TensorMemory;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.QuantizedWeight;
import io.github.transformers4j.api.RecurrentCell;
import io.github.transformers4j.api.ReduceOp;
import io.github.transformers4j.api.ShapeRules;
import io.github.transformers4j.api.UnaryOp;
import io.github.transformers4j.cpu.exec.JitDirectives;
import io.github.transformers4j.cpu.exec.Parallel;
import io.github.transformers4j.cpu.gemm.QuantizedGemm;
import io.github.transformers4j.cpu.gemm.Sgemm;
import io.github.transformers4j.cpu.kernels.Attention;
import io.github.transformers4j.cpu.kernels.Elementwise;
import io.github.transformers4j.cpu.kernels.Layout;
import io.github.transformers4j.cpu.kernels.Losses;
import io.github.transformers4j.cpu.kernels.Norms;
import io.github.transformers4j.cpu.kernels.Recurrent;
import io.github.transformers4j.cpu.kernels.Reductions;
import io.github.transformers4j.cpu.kernels.Softmax;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The CPU implementation of the kernel SPI over heap arrays: a packed SGEMM for matmul, Vector API
 * loops for the elementwise, normalization and softmax kernels, and a fused online-softmax
 * attention. Large kernels are split over a pool of {@code threads} (the caller included), created
 * here and stopped by {@link #close()}.
 *
 * <p>Every input must be an open tensor of this backend; shapes are checked with {@link ShapeRules}
 * even though {@code Ops} checks them first, because a wrong shape here would otherwise surface as
 * an index error deep in a kernel.
 *
 * <p>Thread safety: may be shared by any number of threads. Each kernel splits its work into pieces
 * chosen from the configured thread count and the sizes only; a call made while another thread's
 * loop holds the pool runs the same pieces on its caller, and the parameter gradients of the norms
 * and the loss are summed in a fixed order. So results are bit-identical to serial calls at the
 * same {@code threads}, however many threads call and however busy the machine is (more backend
 * threads than cores included).
 */
public final class CpuBackend implements ComputeBackend, HostMemory.Source {
  private final int threads;
  private final Parallel parallel;
  private final Sgemm gemm;
  private final QuantizedGemm quantizedGemm;
  private final boolean prepack;
  // Packed copies of linear-layer weights, keyed by the identity of the weight's (immutable)
  // array and dropped with it: SEEN after a first use, the packed copy from the second on. A
  // weight used once (every training step makes new ones) is never packed twice.
  private final Map<float[], Object> packedWeights =
      Collections.synchronizedMap(new WeakHashMap<>());
  private static final Object SEEN = new Object();
  private volatile boolean closed;
  // Non-null with the track_memory option: counts live tensor bytes (see TensorMemory).
  private final HostMemory memory;

  // Tq·Tk from which the fused attention backward is used (see attentionBackward).
  private static final long FUSED_BACKWARD_MIN_SCORES = 192L * 192;

  private record PackedWeight(boolean transposed, Sgemm.PackedB packed) {}

  /** A backend whose kernels use up to {@code threads} threads; starts {@code threads − 1}. */
  public CpuBackend(int threads) {
    this(threads, true);
  }

  /**
   * A backend whose kernels use up to {@code threads} threads; starts {@code threads − 1}. With
   * {@code prepack}, a linear layer's weight is packed for the GEMM once, on its second use, and
   * the packed copy (as large as the weight) is kept until the weight is garbage.
   */
  public CpuBackend(int threads, boolean prepack) {
    this(threads, prepack, false);
  }

  /**
   * As {@link #CpuBackend(int, boolean)}; with {@code trackMemory}, every tensor's storage is
   * counted in {@link #memory()} from its allocation until it is closed or collected (a map entry
   * and a cleaner registration per storage, so it is off unless asked for).
   */
  public CpuBackend(int threads, boolean prepack, boolean trackMemory) {
    this.memory = trackMemory ? new HostMemory() : null;
    this.threads = threads;
    this.prepack = prepack;
    JitDirectives.install();
    this.parallel = new Parallel(threads, "t4j-cpu");
    this.gemm = new Sgemm(parallel);
    this.quantizedGemm = new QuantizedGemm(parallel);
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String description() {
    return "CPU, Vector API "
        + io.github.transformers4j.cpu.exec.Machine.ISA
        + " "
        + io.github.transformers4j.cpu.exec.Machine.VECTOR_BITS
        + "-bit, SGEMM tile "
        + Sgemm.MR
        + "×"
        + Sgemm.NR
        + ", "
        + threads
        + (threads == 1 ? " thread" : " threads");
  }

  @Override
  public HostMemory hostMemory() {
    return memory;
  }

  @Override
  public java.util.Optional<TensorMemory> memory() {
    return memory == null ? java.util.Optional.empty() : java.util.Optional.of(memory.counter());
  }

  /** The SGEMM engine of this backend (for benchmarks and callers with raw arrays). */
  public Sgemm sgemm() {
    return gemm;
  }

  // ---- Input checks ----

  private HostTensor cpu(Tensor t, String op) {
    if (t == null) {
      throw new IllegalArgumentException(op + ": tensor is null");
    }
    if (!(t instanceof HostTensor c) || t.backend() != this) {
      throw new IllegalArgumentException(
          op + ": tensor " + t.shape() + " belongs to backend '" + t.backend().name()
              + "', not to this 'cpu' backend; move it with fromHost(toFloatArray())");
    }
    if (c.isClosed()) {
      throw new IllegalStateException(op + ": tensor of shape " + t.shape() + " is closed");
    }
    if (closed) {
      throw new IllegalStateException(op + ": the cpu backend is closed");
    }
    return c;
  }

  private float[] f(Tensor t, String op) {
    HostTensor c = cpu(t, op);
    if (c.dtype() != DType.F32) {
      throw new IllegalArgumentException(op + ": expected an F32 tensor, got " + c);
    }
    return c.floats();
  }

  private int[] i(Tensor t, String op) {
    HostTensor c = cpu(t, op);
    if (c.dtype() != DType.I32) {
      throw new IllegalArgumentException(op + ": expected an I32 tensor, got " + c);
    }
    return c.ints();
  }

  private HostTensor out(float[] data, Shape shape) {
    return HostTensor.wrap(this, data, shape);
  }

  private HostTensor outAny(Object data, Shape shape) {
    return data instanceof int[] ints ? HostTensor.wrap(this, ints, shape) : out((float[]) data, shape);
  }

  private static void sameShape(String op, Tensor a, Tensor b) {
    if (!a.shape().equals(b.shape())) {
      throw new IllegalArgumentException(
          op + ": shapes " + a.shape() + " and " + b.shape() + " must be equal");
    }
  }

  private static int lastDim(Shape s) {
    return s.rank() == 0 ? 1 : s.dim(-1);
  }

  // ---- Memory ----

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
    if (dtype == DType.I32) {
      return HostTensor.wrap(this, new int[shape.size()], shape);
    }
    if (dtype != DType.F32) {
      throw new IllegalArgumentException("zeros: " + dtype + " is a storage type; use F32 or I32");
    }
    return out(new float[shape.size()], shape);
  }

  @Override
  public Tensor reshape(Tensor x, Shape shape) {
    return cpu(x, "reshape").view(ShapeRules.reshape(x.shape(), shape));
  }

  @Override
  public Tensor permute(Tensor x, int[] axes) {
    Shape o = ShapeRules.permute(x.shape(), axes);
    return outAny(Layout.permute(cpu(x, "permute").array(), x.shape(), axes, o), o);
  }

  @Override
  public Tensor slice(Tensor x, int axis, int start, int end) {
    Shape o = ShapeRules.slice(x.shape(), axis, start, end);
    return outAny(Layout.slice(cpu(x, "slice").array(), x.shape(), axis, start, end), o);
  }

  @Override
  public Tensor concat(List<Tensor> parts, int axis) {
    List<Object> data = new ArrayList<>(parts.size());
    List<Shape> shapes = new ArrayList<>(parts.size());
    for (Tensor t : parts) {
      HostTensor c = cpu(t, "concat");
      if (c.dtype() != parts.get(0).dtype()) {
        throw new IllegalArgumentException(
            "concat: mixed element types " + parts.get(0).dtype() + " and " + c.dtype());
      }
      data.add(c.array());
      shapes.add(t.shape());
    }
    Shape o = ShapeRules.concat(shapes, axis);
    return outAny(Layout.concat(data, shapes, axis, o), o);
  }

  // ---- Linear algebra ----

  @Override
  public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    float[] fa = f(a, "matmul");
    float[] fb = f(b, "matmul");
    Shape sa = a.shape();
    Shape sb = b.shape();
    Shape o = ShapeRules.matmul(sa, sb, transposeA, transposeB);
    int m = o.dim(-2);
    int n = o.dim(-1);
    int k = transposeA ? sa.dim(-2) : sa.dim(-1);
    int lda = sa.dim(-1);
    int ldb = sb.dim(-1);
    int batchA = sa.sizeBefore(sa.rank() - 2);
    int batchB = sb.sizeBefore(sb.rank() - 2);
    int batch = o.sizeBefore(o.rank() - 2);
    float[] c = new float[o.size()];
    // c is freshly zeroed, so beta = 1 (accumulate) gives the same bits as beta = 0 without the
    // GEMM's fill of C (about 10 MB of writes per MiniLM forward).
    final float beta = 1f;
    if (batch == 0 || m == 0 || n == 0) {
      return out(c, o);
    }
    if (sb.rank() == 2 && !transposeA) {
      // Shared weight: (..., M, K)·(K, N) is one (batch·M)×K by K×N product, the layer case.
      gemm.sgemm(false, transposeB, batch * m, n, k, 1f, fa, 0, lda, fb, 0, ldb, beta, c, 0, n);
      return out(c, o);
    }
    int strideA = sa.rank() == 2 ? 0 : sa.dim(-1) * sa.dim(-2);
    int strideB = sb.rank() == 2 ? 0 : sb.dim(-1) * sb.dim(-2);
    int strideC = m * n;
    long fmas = (long) m * n * k;
    if (batchA == 0 || batchB == 0) {
      return out(c, o);
    }
    if (batch > 1 && (fmas < (1L << 21) || batch >= parallel.threads())) {
      // Many products (attention heads, per-sample weight gradients): whole products per thread,
      // each single-threaded, rather than one fork (and one pack of each operand per thread) per
      // product.
      parallel.forRange(
          batch,
          1,
          (s, e) -> {
            for (int bi = s; bi < e; bi++) {
              gemm.sgemm(transposeA, transposeB, m, n, k, 1f, fa, bi * strideA, lda, fb,
                  bi * strideB, ldb, beta, c, bi * strideC, n);
            }
          });
    } else {
      for (int bi = 0; bi < batch; bi++) {
        gemm.sgemm(transposeA, transposeB, m, n, k, 1f, fa, bi * strideA, lda, fb, bi * strideB,
            ldb, beta, c, bi * strideC, n);
      }
    }
    return out(c, o);
  }

  @Override
  public Tensor linear(Tensor x, Tensor w, boolean transposeW, Tensor bias) {
    float[] fx = f(x, "linear");
    float[] fw = f(w, "linear");
    float[] fb = bias == null ? null : f(bias, "linear");
    Shape o = ShapeRules.linear(x.shape(), w.shape(), transposeW, bias == null ? null : bias.shape());
    int k = x.shape().dim(-1);
    int n = o.dim(-1);
    int rows = k == 0 ? o.size() / Math.max(1, n) : x.size() / k;
    if (o.size() == 0) {
      return out(new float[0], o);
    }
    int lda = Math.max(1, k);
    int ldb = Math.max(1, w.shape().dim(1));
    float[] c = new float[o.size()];
    Sgemm.PackedB packed = prepack && Sgemm.packs(rows, n, k) ? packedWeight(fw, transposeW, k, n, ldb) : null;
    if (packed != null) {
      gemm.sgemmPacked(rows, fx, 0, lda, packed, fb, 0, c, 0, n);
    } else if (fb == null) {
      // c is freshly zeroed: accumulate into it (beta = 1) rather than have the GEMM fill it again.
      gemm.sgemm(false, transposeW, rows, n, k, 1f, fx, 0, lda, fw, 0, ldb, 1f, c, 0, n);
    } else {
      gemm.sgemmBias(false, transposeW, rows, n, k, fx, 0, lda, fw, 0, ldb, fb, 0, c, 0, n);
    }
    return out(c, o);
  }

  /**
   * Reads the int8 or bf16 weight in place ({@link QuantizedGemm}): converted on the fly for a few
   * rows (decoding), converted block by block into the packed SGEMM's layout for more.
   */
  @Override
  public Tensor quantizedLinear(Tensor x, QuantizedWeight w, Tensor bias) {
    float[] fx = f(x, "linear");
    float[] fb = bias == null ? null : f(bias, "linear");
    Shape o = ShapeRules.linear(x.shape(), w.shape(), false, bias == null ? null : bias.shape());
    int n = w.out();
    int rows = n == 0 ? 0 : o.size() / n;
    float[] c = new float[o.size()];
    quantizedGemm.linear(rows, fx, 0, w, fb, c, 0);
    return out(c, o);
  }

  /**
   * The fused recurrent step: the hidden projection through the SGEMM (the packed weight path when
   * it applies, bias inside the product) written straight into the buffer that becomes the saved
   * gate activations, then one vectorized pass for every gate ({@link Recurrent#forward}). A step
   * allocates its outputs (the state and the saved activations) and nothing else.
   */
  @Override
  public Tensor[] recurrentStep(
      RecurrentCell cell, Tensor gx, Tensor h, Tensor c, Tensor whh, Tensor bhh) {
    String op = "recurrent_step";
    Shape so = ShapeRules.recurrentStep(cell, gx.shape(), h.shape(), c == null ? null : c.shape(),
        whh.shape(), bhh == null ? null : bhh.shape());
    int b = h.shape().dim(0);
    int hs = h.shape().dim(1);
    if (b == 0 || hs == 0) {
      return ComputeBackend.super.recurrentStep(cell, gx, h, c, whh, bhh);
    }
    int g = cell.gates() * hs;
    float[] fh = f(h, op);
    float[] fw = f(whh, op);
    float[] fb = bhh == null ? null : f(bhh, op);
    // The GRU saves four blocks (r, z, n and W_hn·h + b_hn) from a three-block projection: its
    // projection goes into the first three blocks of each four-block row.
    int ld = cell.savedBlocks() == 0 ? g : cell.savedBlocks() * hs;
    float[] buf = new float[b * ld];
    Sgemm.PackedB packed = prepack && Sgemm.packs(b, g, hs) ? packedWeight(fw, true, hs, g, hs) : null;
    if (packed != null) {
      gemm.sgemmPacked(b, fh, 0, hs, packed, fb, 0, buf, 0, ld);
    } else if (fb == null) {
      gemm.sgemm(false, true, b, g, hs, 1f, fh, 0, hs, fw, 0, hs, 1f, buf, 0, ld);
    } else {
      gemm.sgemmBias(false, true, b, g, hs, fh, 0, hs, fw, 0, hs, fb, 0, buf, 0, ld);
    }
    if (cell.savedBlocks() == 0) {
      Recurrent.forward(cell, b, hs, f(gx, op), fh, null, buf, ld, null);
      return new Tensor[] {out(buf, so), null};
    }
    float[] state = new float[so.size()];
    Recurrent.forward(cell, b, hs, f(gx, op), fh, c == null ? null : f(c, op), buf, ld, state);
    return new Tensor[] {out(state, so), out(buf, Shape.of(b, ld))};
  }

  /**
   * Backward of {@link #recurrentStep}: one vectorized pass for the gates' gradients
   * ({@link Recurrent#backward}), then {@code dh += dgh·W_hh} and {@code dW_hh = dghᵀ·h} through
   * the SGEMM and {@code db_hh} as column sums.
   */
  @Override
  public Tensor[] recurrentStepBackward(
      RecurrentCell cell, Tensor h, Tensor c, Tensor whh, Tensor bhh, Tensor state, Tensor saved,
      Tensor dState) {
    String op = "recurrent_step_backward";
    int b = h.shape().dim(0);
    int hs = h.shape().dim(1);
    if (b == 0 || hs == 0) {
      return ComputeBackend.super.recurrentStepBackward(cell, h, c, whh, bhh, state, saved, dState);
    }
    sameShape(op, state, dState);
    int g = cell.gates() * hs;
    float[] fh = f(h, op);
    float[] dgx = new float[b * g];
    float[] dgh = cell == RecurrentCell.GRU ? new float[b * g] : dgx;
    float[] dh = new float[b * hs];
    float[] dc = cell.hasCell() ? new float[b * hs] : null;
    Recurrent.backward(cell, b, hs, fh, c == null ? null : f(c, op), f(state, op),
        saved == null ? null : f(saved, op), f(dState, op), dgx, dgh, dh, dc);
    // (B, G·H)·(G·H, H) -> (B, H), accumulated onto the direct part
    gemm.sgemm(false, false, b, hs, g, 1f, dgh, 0, g, f(whh, op), 0, hs, 1f, dh, 0, hs);
    float[] dw = new float[g * hs];
    // (G·H, B)·(B, H) -> (G·H, H)
    gemm.sgemm(true, false, g, hs, b, 1f, dgh, 0, g, fh, 0, hs, 1f, dw, 0, hs);
    float[] db = bhh == null ? null : Recurrent.columnSums(dgh, b, g);
    return new Tensor[] {
      out(dgx, Shape.of(b, g)), out(dh, h.shape()), dc == null ? null : out(dc, h.shape()),
      out(dw, whh.shape()), db == null ? null : out(db, Shape.of(g))
    };
  }

  /**
   * The whole time loop in one call: W_hhᵀ packed once for all T steps; the batch rows split over
   * the threads, each running every step for its rows (rows never depend on each other, so the
   * threads meet once, not once per step); per step the hidden projection goes through the GEMM
   * straight into the step's slab of the saved activations (the RNN's into its states), then
   * {@link Recurrent#forward} adds gx and applies the gates. The states and saved activations of
   * all T steps are allocated once; a step allocates nothing.
   */
  @Override
  public Tensor[] recurrentSequence(
      RecurrentCell cell, Tensor gx, Tensor h0, Tensor c0, Tensor whh, Tensor bhh,
      boolean reverse) {
    String op = "recurrent_sequence";
    Shape so = ShapeRules.recurrentSequence(cell, gx.shape(), h0.shape(),
        c0 == null ? null : c0.shape(), whh.shape(), bhh == null ? null : bhh.shape());
    int t = so.dim(0);
    int b = so.dim(1);
    int sw = so.dim(2);
    int hs = h0.shape().dim(1);
    if (b == 0 || hs == 0) {
      return ComputeBackend.super.recurrentSequence(cell, gx, h0, c0, whh, bhh, reverse);
    }
    int g = cell.gates() * hs;
    float[] fgx = f(gx, op);
    float[] fh0 = f(h0, op);
    float[] fc0 = c0 == null ? null : f(c0, op);
    float[] fw = f(whh, op);
    float[] fb = bhh == null ? null : f(bhh, op);
    int ld = cell.savedBlocks() == 0 ? g : cell.savedBlocks() * hs;
    float[] states = new float[so.size()];
    float[] saved = cell.savedBlocks() == 0 ? null : new float[Math.multiplyExact(t * b, ld)];
    // op(B) = W_hhᵀ (H × G·H), packed once and read by every step
    Sgemm.PackedB packed = b > 4 && Sgemm.packs(b, g, hs) ? gemm.pack(true, hs, g, fw, 0, hs) : null;
    float[] dst = saved == null ? states : saved;
    parallel.forPieces(b, rowPieces(b), (r0, r1) -> {
      int rows = r1 - r0;
      for (int s = 0; s < t; s++) {
        int at = reverse ? t - 1 - s : s;
        int prev = reverse ? at + 1 : at - 1;
        float[] hp = s == 0 ? fh0 : states;
        int hOff = s == 0 ? r0 * hs : (prev * b + r0) * sw;
        int hLd = s == 0 ? hs : sw;
        float[] cp = s == 0 ? fc0 : states;
        int cOff = s == 0 ? r0 * hs : hOff + hs;
        int dOff = (at * b + r0) * ld;
        // (rows, H)·(H, G·H) + b_hh -> the step's slab, row stride ld
        if (packed != null) {
          gemm.sgemmPacked(rows, hp, hOff, hLd, packed, fb, 0, dst, dOff, ld);
        } else if (fb == null) {
          gemm.sgemm(false, true, rows, g, hs, 1f, hp, hOff, hLd, fw, 0, hs, 0f, dst, dOff, ld);
        } else {
          gemm.sgemmBias(false, true, rows, g, hs, hp, hOff, hLd, fw, 0, hs, fb, 0, dst, dOff, ld);
        }
        Recurrent.forward(cell, rows, hs, fgx, (at * b + r0) * g, hp, hOff, hLd, cp, cOff, hLd,
            dst, dOff, ld, states, (at * b + r0) * sw);
      }
    });
    return new Tensor[] {out(states, so), saved == null ? null : out(saved, Shape.of(t, b, ld))};
  }

  /**
   * Backward of {@link #recurrentSequence}: the steps in reverse order, each thread over its batch
   * rows: the gradient reaching the step's state (its output's plus what the later step sent
   * back), {@link Recurrent#backward} for the gates, and {@code dh = dgh·W_hh} through the GEMM
   * with W_hh packed once. {@code dW_hh} is then ONE product over all T·B rows, {@code dghᵀ·H_prev}
   * (the previous states are the states shifted by one step, so they need no copy), and {@code
   * db_hh} the column sums of dgh. Only the GRU, whose dgh differs from dgx in its n block, keeps
   * that block for all steps (T·B·H floats).
   */
  @Override
  public Tensor[] recurrentSequenceBackward(
      RecurrentCell cell, Tensor gx, Tensor h0, Tensor c0, Tensor whh, Tensor bhh, boolean reverse,
      Tensor states, Tensor saved, Tensor dStates) {
    String op = "recurrent_sequence_backward";
    int t = states.shape().dim(0);
    int b = states.shape().dim(1);
    int sw = states.shape().dim(2);
    int hs = h0.shape().dim(1);
    if (b == 0 || hs == 0) {
      return ComputeBackend.super.recurrentSequenceBackward(
          cell, gx, h0, c0, whh, bhh, reverse, states, saved, dStates);
    }
    sameShape(op, states, dStates);
    int g = cell.gates() * hs;
    int ld = cell.savedBlocks() == 0 ? g : cell.savedBlocks() * hs;
    boolean gru = cell == RecurrentCell.GRU;
    boolean lstm = cell.hasCell();
    float[] fh0 = f(h0, op);
    float[] fc0 = c0 == null ? null : f(c0, op);
    float[] fw = f(whh, op);
    float[] fs = f(states, op);
    float[] fsv = saved == null ? null : f(saved, op);
    float[] fd = f(dStates, op);
    float[] dgx = new float[Math.multiplyExact(t * b, g)];
    float[] dghN = gru ? new float[t * b * hs] : null;
    // per-step scratch, reused by every step
    float[] dgh = gru ? new float[b * g] : dgx;
    float[] dS = new float[b * sw];
    float[] dh = new float[b * hs]; // dgh·W_hh of the later step
    float[] dhd = gru ? new float[b * hs] : null; // the GRU's direct part, dh'·z
    float[] dc = lstm ? new float[b * hs] : null;
    // op(B) = W_hh (G·H × H), packed once
    Sgemm.PackedB packed = b > 4 && Sgemm.packs(b, hs, g) ? gemm.pack(false, g, hs, fw, 0, hs) : null;
    parallel.forPieces(b, rowPieces(b), (r0, r1) -> {
      int rows = r1 - r0;
      for (int s = t - 1; s >= 0; s--) {
        int at = reverse ? t - 1 - s : s;
        int prev = reverse ? at + 1 : at - 1;
        for (int r = r0; r < r1; r++) {
          int o = (at * b + r) * sw;
          if (s == t - 1) {
            System.arraycopy(fd, o, dS, r * sw, sw);
          } else {
            Recurrent.sum(fd, o, dh, r * hs, dhd, r * hs, dS, r * sw, hs);
            if (lstm) {
              Recurrent.sum(fd, o + hs, dc, r * hs, null, 0, dS, r * sw + hs, hs);
            }
          }
        }
        float[] hp = s == 0 ? fh0 : fs;
        int hOff = s == 0 ? r0 * hs : (prev * b + r0) * sw;
        int hLd = s == 0 ? hs : sw;
        float[] cp = s == 0 ? fc0 : fs;
        int cOff = s == 0 ? r0 * hs : hOff + hs;
        int x0 = (at * b + r0) * g;
        int gOff = gru ? r0 * g : x0;
        Recurrent.backward(cell, rows, hs, hp, hOff, hLd, cp, cOff, hLd, fs, (at * b + r0) * sw,
            fsv, (at * b + r0) * ld, dS, r0 * sw, dgx, x0, dgh, gOff, dghN, (at * b + r0) * hs,
            dhd, r0 * hs, dc, r0 * hs);
        // (rows, G·H)·(G·H, H) -> the gradient this step sends to the previous state
        if (packed != null) {
          gemm.sgemmPacked(rows, dgh, gOff, g, packed, null, 0, dh, r0 * hs, hs);
        } else {
          gemm.sgemm(false, false, rows, hs, g, 1f, dgh, gOff, g, fw, 0, hs, 0f, dh, r0 * hs, hs);
        }
      }
    });
    if (gru) {
      Recurrent.sum(dh, 0, dhd, 0, null, 0, dh, 0, b * hs);
    }
    // dW_hh = Σ_t dgh_tᵀ·h_(t−1): steps whose previous state is a stored state in one product
    // ((T−1)·B rows), the first step (previous state h0) in another
    float[] dw = new float[g * hs];
    int first = reverse ? t - 1 : 0;
    if (t > 1) {
      int gRow = reverse ? 0 : b;
      int hRow = reverse ? b : 0;
      weightGrad(gru, g, hs, (t - 1) * b, dgx, gRow, dghN, fs, hRow * sw, sw, 0f, dw);
    }
    weightGrad(gru, g, hs, b, dgx, first * b, dghN, fh0, 0, hs, t > 1 ? 1f : 0f, dw);
    float[] db = null;
    if (bhh != null) {
      db = new float[g];
      if (gru) {
        Recurrent.addColumnSums(dgx, 0, t * b, 2 * hs, g, db, 0);
        Recurrent.addColumnSums(dghN, 0, t * b, hs, hs, db, 2 * hs);
      } else {
        Recurrent.addColumnSums(dgx, 0, t * b, g, g, db, 0);
      }
    }
    Shape sh = h0.shape();
    return new Tensor[] {
      out(dgx, gx.shape()), out(dh, sh), dc == null ? null : out(dc, sh), out(dw, whh.shape()),
      db == null ? null : out(db, Shape.of(g))
    };
  }

  /**
   * {@code dW (G·H, H) = beta·dW + dghᵀ·H} over {@code k} rows of dgh from row {@code gRow} (dgx's
   * rows; for the GRU its n block from {@code dghN}) and of H from {@code hOff} with stride {@code
   * ldh}.
   */
  private void weightGrad(
      boolean gru, int g, int hs, int k, float[] dgx, int gRow, float[] dghN, float[] h, int hOff,
      int ldh, float beta, float[] dw) {
    if (gru) {
      gemm.sgemm(true, false, 2 * hs, hs, k, 1f, dgx, gRow * g, g, h, hOff, ldh, beta, dw, 0, hs);
      gemm.sgemm(true, false, hs, hs, k, 1f, dghN, gRow * hs, hs, h, hOff, ldh, beta, dw,
          2 * hs * hs, hs);
    } else {
      gemm.sgemm(true, false, g, hs, k, 1f, dgx, gRow * g, g, h, hOff, ldh, beta, dw, 0, hs);
    }
  }

  /**
   * Pieces of a recurrent sequence's batch: one per thread, each a whole number of the GEMM's row
   * tiles where the batch allows (rows are independent, so a thread runs all steps for its own).
   */
  private int rowPieces(int b) {
    return Math.max(1, Math.min(threads, b / Sgemm.MR));
  }

  private Sgemm.PackedB packedWeight(float[] w, boolean transposed, int k, int n, int ldb) {
    Object entry = packedWeights.get(w);
    if (entry instanceof PackedWeight p) {
      return p.transposed() == transposed && p.packed().k() == k && p.packed().n() == n
          ? p.packed()
          : null;
    }
    if (entry == null) {
      packedWeights.put(w, SEEN);
      return null;
    }
    // Packed copies are as large as their weights: keep them within a quarter of the heap, so a
    // large model stays loadable (its weights past the budget are packed per call instead).
    long floats = (long) ((n + Sgemm.NR - 1) / Sgemm.NR * Sgemm.NR) * Math.max(1, k);
    long held = 0;
    synchronized (packedWeights) {
      for (Object e : packedWeights.values()) {
        if (e instanceof PackedWeight pw) {
          held += pw.packed().size();
        }
      }
    }
    if ((held + floats) * Float.BYTES > Runtime.getRuntime().maxMemory() / 4) {
      return null;
    }
    Sgemm.PackedB p = gemm.pack(transposed, k, n, w, 0, ldb);
    packedWeights.put(w, new PackedWeight(transposed, p));
    return p;
  }

  // ---- Elementwise ----

  @Override
  public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    float[] fa = f(a, op.name());
    float[] fb = f(b, op.name());
    Shape o = ShapeRules.broadcast(op.name(), a.shape(), b.shape());
    return out(Elementwise.binary(parallel, op, fa, a.shape(), fb, b.shape(), o), o);
  }

  @Override
  public Tensor unary(UnaryOp op, Tensor x) {
    return out(Elementwise.unary(parallel, op, f(x, op.name())), x.shape());
  }

  @Override
  public Tensor affine(Tensor x, float scale, float shift) {
    return out(Elementwise.affine(parallel, f(x, "affine"), scale, shift), x.shape());
  }

  @Override
  public Tensor activation(Activation fn, Tensor x) {
    return out(Elementwise.activation(parallel, fn, f(x, fn.name())), x.shape());
  }

  @Override
  public Tensor activationBackward(Activation fn, Tensor x, Tensor dy) {
    String op = fn.name() + "_backward";
    sameShape(op, x, dy);
    return out(Elementwise.activationBackward(parallel, fn, f(x, op), f(dy, op)), x.shape());
  }

  // ---- Reductions ----

  @Override
  public Tensor reduce(ReduceOp op, Tensor x, int axis, boolean keepDim) {
    float[] fx = f(x, op.name());
    Shape o = ShapeRules.reduce(op.name(), x.shape(), axis, keepDim);
    return out(Reductions.reduce(parallel, op, fx, x.shape(), axis), o);
  }

  @Override
  public Tensor sumTo(Tensor x, Shape target) {
    float[] fx = f(x, "sum_to");
    ShapeRules.broadcastable("sum_to", target, x.shape());
    return out(Reductions.sumTo(fx, x.shape(), target), target);
  }

  @Override
  public Tensor broadcastTo(Tensor x, Shape target) {
    float[] fx = f(x, "broadcast_to");
    ShapeRules.broadcastable("broadcast_to", x.shape(), target);
    return out(Elementwise.broadcastTo(parallel, fx, x.shape(), target), target);
  }

  // ---- Softmax and normalization ----

  @Override
  public Tensor softmax(Tensor x, Tensor mask, boolean causal) {
    float[] fx = f(x, "softmax");
    float[] fm = mask == null ? null : f(mask, "softmax");
    ShapeRules.mask("softmax", x.shape(), mask == null ? null : mask.shape());
    return out(
        Softmax.softmax(parallel, fx, x.shape(), fm, mask == null ? null : mask.shape(), causal),
        x.shape());
  }

  @Override
  public Tensor softmaxBackward(Tensor y, Tensor dy) {
    sameShape("softmax_backward", y, dy);
    return out(
        Softmax.softmaxBackward(
            parallel, f(y, "softmax_backward"), f(dy, "softmax_backward"), lastDim(y.shape())),
        y.shape());
  }

  @Override
  public Tensor logSoftmax(Tensor x) {
    return out(Softmax.logSoftmax(parallel, f(x, "log_softmax"), lastDim(x.shape())), x.shape());
  }

  @Override
  public Tensor logSoftmaxBackward(Tensor y, Tensor dy) {
    sameShape("log_softmax_backward", y, dy);
    return out(
        Softmax.logSoftmaxBackward(
            parallel, f(y, "log_softmax_backward"), f(dy, "log_softmax_backward"),
            lastDim(y.shape())),
        y.shape());
  }

  @Override
  public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    String op = "layer_norm";
    ShapeRules.normParams(op, x.shape(), gamma.shape(), beta.shape());
    return out(
        Norms.layerNorm(parallel, f(x, op), x.shape().dim(-1), f(gamma, op), f(beta, op), eps),
        x.shape());
  }

  @Override
  public Tensor[] layerNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    String op = "layer_norm_backward";
    ShapeRules.normParams(op, x.shape(), gamma.shape(), null);
    sameShape(op, x, dy);
    float[][] g =
        Norms.layerNormBackward(parallel, f(x, op), x.shape().dim(-1), f(gamma, op), eps, f(dy, op));
    return new Tensor[] {out(g[0], x.shape()), out(g[1], gamma.shape()), out(g[2], gamma.shape())};
  }

  @Override
  public Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
    String op = "rms_norm";
    ShapeRules.normParams(op, x.shape(), gamma.shape(), null);
    return out(Norms.rmsNorm(parallel, f(x, op), x.shape().dim(-1), f(gamma, op), eps), x.shape());
  }

  @Override
  public Tensor[] rmsNormBackward(Tensor x, Tensor gamma, float eps, Tensor dy) {
    String op = "rms_norm_backward";
    ShapeRules.normParams(op, x.shape(), gamma.shape(), null);
    sameShape(op, x, dy);
    float[][] g =
        Norms.rmsNormBackward(parallel, f(x, op), x.shape().dim(-1), f(gamma, op), eps, f(dy, op));
    return new Tensor[] {out(g[0], x.shape()), out(g[1], gamma.shape())};
  }

  // ---- Embeddings, dropout, loss ----

  @Override
  public Tensor embedding(Tensor table, Tensor ids) {
    float[] t = f(table, "embedding");
    int[] id = i(ids, "embedding");
    if (table.rank() != 2) {
      throw new IllegalArgumentException("embedding: table must be (V, C), got " + table.shape());
    }
    int c = table.shape().dim(1);
    return out(Losses.embedding(t, table.shape().dim(0), c, id), ids.shape().append(c));
  }

  @Override
  public Tensor embeddingBackward(Tensor ids, Tensor dy, int vocabSize) {
    int[] id = i(ids, "embedding_backward");
    float[] d = f(dy, "embedding_backward");
    Shape expect = ids.shape().append(lastDim(dy.shape()));
    if (dy.rank() == 0 || !dy.shape().equals(expect)) {
      throw new IllegalArgumentException(
          "embedding_backward: dy " + dy.shape() + " must be ids " + ids.shape() + " + (C)");
    }
    int c = dy.shape().dim(-1);
    return out(Losses.embeddingBackward(id, d, vocabSize, c), Shape.of(vocabSize, c));
  }

  @Override
  public Tensor dropout(Tensor x, float p, long seed) {
    if (!(p >= 0f && p < 1f)) {
      throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
    }
    return out(Elementwise.dropout(parallel, f(x, "dropout"), p, seed), x.shape());
  }

  private static void checkLoss(String op, Tensor logits, Tensor targets) {
    if (logits.rank() != 2 || targets.rank() != 1 || targets.shape().dim(0) != logits.shape().dim(0)) {
      throw new IllegalArgumentException(
          op + ": logits must be (N, V) and targets (N), got " + logits.shape() + " and "
              + targets.shape());
    }
  }

  @Override
  public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing) {
    String op = "cross_entropy";
    float[] l = f(logits, op);
    int[] t = i(targets, op);
    checkLoss(op, logits, targets);
    int n = logits.shape().dim(0);
    int v = logits.shape().dim(1);
    float loss = Losses.crossEntropy(parallel, l, n, v, t, ignoreIndex, labelSmoothing);
    return out(new float[] {loss}, Shape.scalar());
  }

  @Override
  public Tensor crossEntropyBackward(
      Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing, float dLoss) {
    String op = "cross_entropy_backward";
    float[] l = f(logits, op);
    int[] t = i(targets, op);
    checkLoss(op, logits, targets);
    int n = logits.shape().dim(0);
    int v = logits.shape().dim(1);
    return out(
        Losses.crossEntropyBackward(parallel, l, n, v, t, ignoreIndex, labelSmoothing, dLoss),
        logits.shape());
  }

  // ---- Attention ----

  @Override
  public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale) {
    String op = "attention";
    float[] fq = f(q, op);
    float[] fk = f(k, op);
    float[] fv = f(v, op);
    float[] fm = mask == null ? null : f(mask, op);
    Shape o =
        ShapeRules.attention(q.shape(), k.shape(), v.shape(), mask == null ? null : mask.shape());
    Shape sq = q.shape();
    return out(
        Attention.forward(
            parallel, gemm, fq, fk, fv, sq.dim(0), sq.dim(1), sq.dim(2), k.shape().dim(2),
            sq.dim(3), fm, mask == null ? null : mask.shape(), causal, scale),
        o);
  }

  @Override
  public Tensor[] attentionBackward(
      Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale, Tensor dOut) {
    String op = "attentionBackward";
    float[] fq = f(q, op);
    float[] fk = f(k, op);
    float[] fv = f(v, op);
    float[] fd = f(dOut, op);
    float[] fm = mask == null ? null : f(mask, op);
    Shape o =
        ShapeRules.attention(q.shape(), k.shape(), v.shape(), mask == null ? null : mask.shape());
    if (!dOut.shape().equals(o)) {
      throw new IllegalArgumentException(
          op + ": output gradient " + dOut.shape() + " must have the attention output's shape " + o);
    }
    Shape sq = q.shape();
    if ((long) sq.dim(2) * k.shape().dim(2) < FUSED_BACKWARD_MIN_SCORES) {
      // Short sequences: the composed kernels are faster (measured 0.79 vs 0.65 ms at T = 64,
      // even at 128, fused ahead from ~192 on: 7.5 vs 8.3 ms at 256) and the scores are small.
      return ComputeBackend.super.attentionBackward(q, k, v, mask, causal, scale, dOut);
    }
    float[][] g =
        Attention.backward(
            parallel, gemm, fq, fk, fv, fd, sq.dim(0), sq.dim(1), sq.dim(2), k.shape().dim(2),
            sq.dim(3), fm, mask == null ? null : mask.shape(), causal, scale);
    return new Tensor[] {out(g[0], q.shape()), out(g[1], k.shape()), out(g[2], v.shape())};
  }

  /** Stops the pool's threads. Kernels called afterwards fail. */
  @Override
  public void close() {
    closed = true;
    parallel.close();
  }
}
