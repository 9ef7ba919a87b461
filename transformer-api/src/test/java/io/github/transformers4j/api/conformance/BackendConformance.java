package io.github.transformers4j.api.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.QuantizedWeight;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.reference.ReferenceBackend;
import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.ReduceOp;
import io.github.transformers4j.api.UnaryOp;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The backend conformance suite: every kernel of the SPI against the naive reference on awkward
 * sizes, and a finite-difference gradient check of every op with a backward, run through
 * {@link Ops} on the backend under test. A backend's test class extends this and supplies
 * {@link #createBackend()}; the {@code it} module runs it over every installed backend.
 */
public abstract class BackendConformance {
  /** Forward tolerance, relative to the reference value, plus the same absolute amount. */
  protected static final double TOL = 1e-4;

  /** Tolerance of the finite-difference gradient checks (float32 forward passes). */
  protected static final double GRAD_TOL = 2e-2;

  private static final int[] SIZES = {1, 3, 13, 64, 127, 207};

  // Backends are expensive to open (thread pools, OpenCL contexts and compiled kernels), so each
  // is opened once per key and shared by the test instances of its class.
  private static final Map<String, ComputeBackend> OPEN = new ConcurrentHashMap<>();

  protected final ReferenceBackend ref = new ReferenceBackend();
  protected ComputeBackend backend;

  /** Opens the backend under test; called once per {@link #backendKey()}. */
  protected abstract ComputeBackend createBackend();

  /** Identifies the backend under test among those this JVM opened. */
  protected String backendKey() {
    return getClass().getName();
  }

  /** Closes every backend the suite opened whose key starts with {@code prefix}. */
  protected static void closeBackends(String prefix) {
    OPEN.entrySet().removeIf(e -> {
      if (e.getKey().startsWith(prefix)) {
        e.getValue().close();
        return true;
      }
      return false;
    });
  }

  @BeforeEach
  void open() {
    backend = OPEN.get(backendKey());
    if (backend == null) {
      backend = createBackend();
      OPEN.put(backendKey(), backend);
    }
  }

  private Tensor on(ComputeBackend b, float[] data, int... dims) {
    return b.fromHost(data, Shape.of(dims));
  }

  private void same(Tensor expected, Tensor actual, String what) {
    assertEquals(expected.shape(), actual.shape(), what + ": shape");
    Check.close(expected.toFloatArray(), actual.toFloatArray(), TOL, TOL, what + " on " + backend.name());
  }

  // ---------------------------------------------------------------- forward kernels

  @Test
  void matmulMatchesReferenceOnAwkwardSizes() {
    SplittableRandom r = Check.random(1);
    for (int m : SIZES) {
      for (int k : new int[] {1, 13, 207}) {
        int n = SIZES[(m + k) % SIZES.length];
        for (int t = 0; t < 4; t++) {
          boolean ta = (t & 1) != 0;
          boolean tb = (t & 2) != 0;
          float[] a = Check.uniform(r, m * k);
          float[] b = Check.uniform(r, k * n);
          int[] sa = ta ? new int[] {k, m} : new int[] {m, k};
          int[] sb = tb ? new int[] {n, k} : new int[] {k, n};
          same(
              ref.matmul(on(ref, a, sa), on(ref, b, sb), ta, tb),
              backend.matmul(on(backend, a, sa), on(backend, b, sb), ta, tb),
              "matmul " + m + "x" + k + "x" + n + " ta=" + ta + " tb=" + tb);
        }
      }
    }
  }

  @Test
  void batchedMatmulWithSharedOperand() {
    SplittableRandom r = Check.random(2);
    float[] a = Check.uniform(r, 2 * 3 * 13 * 64);
    float[] b = Check.uniform(r, 2 * 3 * 64 * 127);
    float[] w = Check.uniform(r, 64 * 127);
    same(
        ref.matmul(on(ref, a, 2, 3, 13, 64), on(ref, b, 2, 3, 64, 127), false, false),
        backend.matmul(on(backend, a, 2, 3, 13, 64), on(backend, b, 2, 3, 64, 127), false, false),
        "batched matmul");
    same(
        ref.matmul(on(ref, a, 2, 3, 13, 64), on(ref, w, 127, 64), false, true),
        backend.matmul(on(backend, a, 2, 3, 13, 64), on(backend, w, 127, 64), false, true),
        "batched matmul with a shared, transposed right matrix");
    same(
        ref.matmul(on(ref, w, 64, 127), on(ref, b, 2, 3, 64, 127), true, false),
        backend.matmul(on(backend, w, 64, 127), on(backend, b, 2, 3, 64, 127), true, false),
        "batched matmul with a shared, transposed left matrix");
  }

  @Test
  void linearMatchesMatmulPlusBias() {
    SplittableRandom r = Check.random(31);
    int[][] cases = {{1, 1, 1}, {3, 13, 5}, {2 * 13, 64, 127}, {128, 207, 64}, {5, 0, 3}};
    for (int[] c : cases) {
      int rows = c[0];
      int k = c[1];
      int n = c[2];
      float[] x = Check.uniform(r, rows * k);
      float[] w = Check.uniform(r, k * n);
      float[] bias = Check.uniform(r, n);
      for (boolean tw : new boolean[] {false, true}) {
        int[] sw = tw ? new int[] {n, k} : new int[] {k, n};
        // A rank-3 input when the rows split evenly: (2, rows/2, K), else (rows, K).
        int[] sx = rows % 2 == 0 ? new int[] {2, rows / 2, k} : new int[] {rows, k};
        Tensor want =
            ref.binary(
                BinaryOp.ADD, ref.matmul(on(ref, x, sx), on(ref, w, sw), false, tw), on(ref, bias, n));
        same(
            want,
            backend.linear(on(backend, x, sx), on(backend, w, sw), tw, on(backend, bias, n)),
            "linear " + rows + "x" + k + "x" + n + " tw=" + tw);
        same(
            ref.matmul(on(ref, x, sx), on(ref, w, sw), false, tw),
            backend.linear(on(backend, x, sx), on(backend, w, sw), tw, null),
            "linear without bias " + rows + "x" + k + "x" + n + " tw=" + tw);
      }
    }
  }

  @Test
  void quantizedLinearMatchesTheDequantizedReference() {
    // Skinny (decode) and tall (prefill) row counts, awkward widths, both source layouts, both
    // formats, bias or not: the result must be the fp32 linear layer of the dequantized weight.
    SplittableRandom r = Check.random(32);
    int[][] cases = {{1, 1, 1}, {1, 64, 127}, {3, 13, 207}, {4, 127, 13}, {13, 207, 64}, {127, 64, 3}, {2, 0, 5}};
    for (int[] c : cases) {
      int rows = c[0];
      int k = c[1];
      int n = c[2];
      float[] x = Check.uniform(r, rows * k);
      float[] w = Check.uniform(r, k * n);
      float[] bias = Check.uniform(r, n);
      for (QuantizedWeight.Format f : QuantizedWeight.Format.values()) {
        for (boolean outIn : new boolean[] {false, true}) {
          QuantizedWeight q = QuantizedWeight.quantize(f, w, k, n, outIn);
          Tensor dense = on(ref, q.dequantize(), k, n);
          String what = f.label() + " linear " + rows + "x" + k + "x" + n + (outIn ? " (out, in)" : " (in, out)");
          same(
              ref.linear(on(ref, x, rows, k), dense, false, on(ref, bias, n)),
              backend.quantizedLinear(on(backend, x, rows, k), q, on(backend, bias, n)),
              what);
          same(
              ref.linear(on(ref, x, rows, k), dense, false, null),
              backend.quantizedLinear(on(backend, x, rows, k), q, null),
              what + " without bias");
        }
      }
    }
  }

  @Test
  void binaryOpsBroadcast() {
    SplittableRandom r = Check.random(3);
    int[][][] pairs = {
      {{13, 207}, {13, 207}}, {{13, 207}, {207}}, {{3, 1, 13}, {1, 64, 13}}, {{127}, {}}, {{1}, {3, 1}},
      {{2, 3, 4, 5}, {2, 1, 4, 1}}
    };
    for (BinaryOp op : BinaryOp.values()) {
      for (int[][] p : pairs) {
        float[] a = Check.uniform(r, Shape.of(p[0]).size());
        float[] b = Check.uniform(r, Shape.of(p[1]).size());
        if (op == BinaryOp.DIV) {
          for (int i = 0; i < b.length; i++) {
            b[i] = b[i] >= 0 ? b[i] + 0.5f : b[i] - 0.5f;
          }
        }
        same(
            ref.binary(op, on(ref, a, p[0]), on(ref, b, p[1])),
            backend.binary(op, on(backend, a, p[0]), on(backend, b, p[1])),
            op + " " + Shape.of(p[0]) + " " + Shape.of(p[1]));
      }
    }
  }

  @Test
  void unaryAffineAndActivations() {
    SplittableRandom r = Check.random(4);
    for (int n : SIZES) {
      float[] x = Check.uniform(r, n * 3);
      float[] pos = x.clone();
      for (int i = 0; i < pos.length; i++) {
        pos[i] = Math.abs(pos[i]) + 0.1f;
      }
      for (UnaryOp op : UnaryOp.values()) {
        float[] in = op == UnaryOp.LOG || op == UnaryOp.SQRT ? pos : x;
        same(ref.unary(op, on(ref, in, n, 3)), backend.unary(op, on(backend, in, n, 3)), op + " n=" + n);
      }
      same(
          ref.affine(on(ref, x, n, 3), 1.5f, -0.25f),
          backend.affine(on(backend, x, n, 3), 1.5f, -0.25f),
          "affine n=" + n);
      float[] wide = x.clone();
      for (int i = 0; i < wide.length; i++) {
        wide[i] *= 6; // cover the tails of GELU and the sigmoids
      }
      float[] dy = Check.uniform(r, n * 3);
      for (Activation f : Activation.values()) {
        same(
            ref.activation(f, on(ref, wide, n * 3)),
            backend.activation(f, on(backend, wide, n * 3)),
            f + " n=" + n);
        same(
            ref.activationBackward(f, on(ref, wide, n * 3), on(ref, dy, n * 3)),
            backend.activationBackward(f, on(backend, wide, n * 3), on(backend, dy, n * 3)),
            f + " backward n=" + n);
      }
    }
  }

  @Test
  void reductionsAndBroadcasts() {
    SplittableRandom r = Check.random(5);
    int[] shape = {3, 13, 207};
    float[] x = Check.uniform(r, 3 * 13 * 207);
    for (ReduceOp op : ReduceOp.values()) {
      for (int axis = -3; axis < 3; axis++) {
        for (boolean keep : new boolean[] {false, true}) {
          same(
              ref.reduce(op, on(ref, x, shape), axis, keep),
              backend.reduce(op, on(backend, x, shape), axis, keep),
              op + " axis " + axis + " keep " + keep);
        }
      }
    }
    for (int[] target : new int[][] {{207}, {13, 1}, {3, 1, 207}, {1, 1, 1}, {}}) {
      same(
          ref.sumTo(on(ref, x, shape), Shape.of(target)),
          backend.sumTo(on(backend, x, shape), Shape.of(target)),
          "sumTo " + Shape.of(target));
      float[] small = Check.uniform(r, Shape.of(target).size());
      same(
          ref.broadcastTo(on(ref, small, target), Shape.of(shape)),
          backend.broadcastTo(on(backend, small, target), Shape.of(shape)),
          "broadcastTo from " + Shape.of(target));
    }
  }

  @Test
  void softmaxWithMasksAndCausality() {
    SplittableRandom r = Check.random(6);
    for (int t : SIZES) {
      float[] x = Check.uniform(r, 2 * 3 * t * t);
      for (int i = 0; i < x.length; i++) {
        x[i] *= 8;
      }
      int[] sx = {2, 3, t, t};
      float[] mask = new float[2 * t];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = r.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : 0f;
      }
      for (boolean causal : new boolean[] {false, true}) {
        same(
            ref.softmax(on(ref, x, sx), null, causal),
            backend.softmax(on(backend, x, sx), null, causal),
            "softmax t=" + t + " causal=" + causal);
        same(
            ref.softmax(on(ref, x, sx), on(ref, mask, 2, 1, 1, t), causal),
            backend.softmax(on(backend, x, sx), on(backend, mask, 2, 1, 1, t), causal),
            "masked softmax t=" + t + " causal=" + causal);
      }
      float[] y = ref.softmax(on(ref, x, sx), null, false).toFloatArray();
      float[] dy = Check.uniform(r, x.length);
      same(
          ref.softmaxBackward(on(ref, y, sx), on(ref, dy, sx)),
          backend.softmaxBackward(on(backend, y, sx), on(backend, dy, sx)),
          "softmax backward t=" + t);
      float[] ly = ref.logSoftmax(on(ref, x, sx)).toFloatArray();
      same(ref.logSoftmax(on(ref, x, sx)), backend.logSoftmax(on(backend, x, sx)), "log_softmax t=" + t);
      same(
          ref.logSoftmaxBackward(on(ref, ly, sx), on(ref, dy, sx)),
          backend.logSoftmaxBackward(on(backend, ly, sx), on(backend, dy, sx)),
          "log_softmax backward t=" + t);
    }
  }

  @Test
  void softmaxRowThatSeesNothingIsZeroNotNaN() {
    float inf = Float.NEGATIVE_INFINITY;
    float[] x = {1, 2, 3, 4, 5, 6};
    float[] mask = {inf, inf, inf, 0, 0, 0};
    float[] y = backend.softmax(on(backend, x, 2, 3), on(backend, mask, 2, 3), false).toFloatArray();
    assertArrayEquals(new float[] {0, 0, 0}, new float[] {y[0], y[1], y[2]}, "masked row");
    assertEquals(1.0, y[3] + y[4] + y[5], 1e-6, "visible row sums to 1");
    // causal with more queries than keys: query 0 of (Tq 3, Tk 1) sees key 0 only when 0 <= 0 + 1 - 3.
    float[] c = backend.softmax(on(backend, new float[] {1, 1, 1}, 3, 1), null, true).toFloatArray();
    assertArrayEquals(new float[] {0, 0, 1}, c, 0f, "causal rows with no visible key");
  }

  @Test
  void normalizations() {
    SplittableRandom r = Check.random(7);
    for (int c : SIZES) {
      int rows = 5;
      float[] x = Check.uniform(r, rows * c);
      for (int i = 0; i < x.length; i++) {
        x[i] = x[i] * 3 + 0.5f;
      }
      float[] g = Check.uniform(r, c);
      float[] b = Check.uniform(r, c);
      float[] dy = Check.uniform(r, rows * c);
      same(
          ref.layerNorm(on(ref, x, rows, c), on(ref, g, c), on(ref, b, c), 1e-5f),
          backend.layerNorm(on(backend, x, rows, c), on(backend, g, c), on(backend, b, c), 1e-5f),
          "layer_norm c=" + c);
      Tensor[] e = ref.layerNormBackward(on(ref, x, rows, c), on(ref, g, c), 1e-5f, on(ref, dy, rows, c));
      Tensor[] a =
          backend.layerNormBackward(
              on(backend, x, rows, c), on(backend, g, c), 1e-5f, on(backend, dy, rows, c));
      for (int i = 0; i < 3; i++) {
        same(e[i], a[i], "layer_norm backward " + i + " c=" + c);
      }
      same(
          ref.rmsNorm(on(ref, x, rows, c), on(ref, g, c), 1e-6f),
          backend.rmsNorm(on(backend, x, rows, c), on(backend, g, c), 1e-6f),
          "rms_norm c=" + c);
      e = ref.rmsNormBackward(on(ref, x, rows, c), on(ref, g, c), 1e-6f, on(ref, dy, rows, c));
      a = backend.rmsNormBackward(on(backend, x, rows, c), on(backend, g, c), 1e-6f, on(backend, dy, rows, c));
      for (int i = 0; i < 2; i++) {
        same(e[i], a[i], "rms_norm backward " + i + " c=" + c);
      }
    }
  }

  @Test
  void embeddingGatherAndScatterAdd() {
    SplittableRandom r = Check.random(8);
    int v = 127;
    int c = 13;
    float[] table = Check.uniform(r, v * c);
    int[] ids = Check.ids(r, 2 * 64, v);
    ids[1] = ids[0]; // repeated ids must accumulate
    same(
        ref.embedding(on(ref, table, v, c), ref.fromHost(ids, Shape.of(2, 64))),
        backend.embedding(on(backend, table, v, c), backend.fromHost(ids, Shape.of(2, 64))),
        "embedding");
    float[] dy = Check.uniform(r, 2 * 64 * c);
    same(
        ref.embeddingBackward(ref.fromHost(ids, Shape.of(2, 64)), on(ref, dy, 2, 64, c), v),
        backend.embeddingBackward(backend.fromHost(ids, Shape.of(2, 64)), on(backend, dy, 2, 64, c), v),
        "embedding backward");
  }

  @Test
  void dropoutDropsTheSameElementsAsTheReference() {
    SplittableRandom r = Check.random(9);
    float[] x = Check.uniform(r, 207 * 13);
    for (float p : new float[] {0.1f, 0.5f, 0.9f}) {
      float[] e = ref.dropout(on(ref, x, 207, 13), p, 42).toFloatArray();
      float[] a = backend.dropout(on(backend, x, 207, 13), p, 42).toFloatArray();
      int dropped = 0;
      for (int i = 0; i < e.length; i++) {
        assertEquals(e[i] == 0f, a[i] == 0f, "dropout p=" + p + " element " + i + " kept/dropped");
        dropped += a[i] == 0f ? 1 : 0;
      }
      Check.close(e, a, 1e-6, 1e-7, "dropout p=" + p);
      double rate = dropped / (double) e.length;
      assertTrue(Math.abs(rate - p) < 0.05, "dropout p=" + p + " dropped a fraction " + rate);
    }
  }

  @Test
  void crossEntropyWithIgnoreIndexAndSmoothing() {
    SplittableRandom r = Check.random(10);
    for (int v : new int[] {1, 13, 207}) {
      int n = 64;
      float[] logits = Check.uniform(r, n * v);
      int[] t = Check.ids(r, n, v);
      for (int i = 0; i < n; i += 5) {
        t[i] = -100;
      }
      for (float s : new float[] {0f, 0.1f}) {
        same(
            ref.crossEntropy(on(ref, logits, n, v), ref.fromHost(t, Shape.of(n)), -100, s),
            backend.crossEntropy(on(backend, logits, n, v), backend.fromHost(t, Shape.of(n)), -100, s),
            "cross_entropy v=" + v + " smoothing=" + s);
        same(
            ref.crossEntropyBackward(on(ref, logits, n, v), ref.fromHost(t, Shape.of(n)), -100, s, 0.5f),
            backend.crossEntropyBackward(
                on(backend, logits, n, v), backend.fromHost(t, Shape.of(n)), -100, s, 0.5f),
            "cross_entropy backward v=" + v + " smoothing=" + s);
      }
    }
    int[] allIgnored = {-100, -100};
    assertEquals(
        0f,
        backend.crossEntropy(on(backend, new float[] {1, 2, 3, 4}, 2, 2), backend.fromHost(allIgnored, Shape.of(2)), -100, 0f).item(),
        "all targets ignored");
  }

  @Test
  void fusedAttentionMatchesComposedReference() {
    SplittableRandom r = Check.random(11);
    // Tq > Tk (the first causal rows see no key), block edges (BQ 64, BK 128 on cpu), Tq < Tk;
    // short and long (the cpu backend's backward is fused from Tq·Tk = 192² on).
    int[][] cases = {
      {1, 1, 1, 1, 8}, {2, 3, 13, 13, 16}, {1, 2, 64, 64, 32}, {2, 2, 3, 127, 8}, {1, 1, 207, 207, 64},
      {1, 2, 9, 4, 8}, {1, 1, 150, 300, 16}, {1, 1, 300, 200, 8}
    };
    for (int[] cs : cases) {
      int b = cs[0];
      int h = cs[1];
      int tq = cs[2];
      int tk = cs[3];
      int hs = cs[4];
      float[] q = Check.uniform(r, b * h * tq * hs);
      float[] k = Check.uniform(r, b * h * tk * hs);
      float[] v = Check.uniform(r, b * h * tk * hs);
      float[] mask = new float[b * tk];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = i % tk == 0 || r.nextInt(5) > 0 ? 0f : -1e9f;
      }
      float[] dout = Check.uniform(r, b * h * tq * hs);
      float scale = (float) (1 / Math.sqrt(hs));
      for (boolean causal : new boolean[] {false, true}) {
        for (boolean masked : new boolean[] {false, true}) {
          String what = "attention " + java.util.Arrays.toString(cs) + " causal=" + causal + " masked=" + masked;
          Tensor em = masked ? on(ref, mask, b, 1, 1, tk) : null;
          Tensor am = masked ? on(backend, mask, b, 1, 1, tk) : null;
          same(
              ref.attention(on(ref, q, b, h, tq, hs), on(ref, k, b, h, tk, hs), on(ref, v, b, h, tk, hs), em, causal, scale),
              backend.attention(
                  on(backend, q, b, h, tq, hs), on(backend, k, b, h, tk, hs), on(backend, v, b, h, tk, hs), am, causal, scale),
              what);
          Tensor[] e =
              ref.attentionBackward(
                  on(ref, q, b, h, tq, hs), on(ref, k, b, h, tk, hs), on(ref, v, b, h, tk, hs), em, causal, scale,
                  on(ref, dout, b, h, tq, hs));
          Tensor[] a =
              backend.attentionBackward(
                  on(backend, q, b, h, tq, hs), on(backend, k, b, h, tk, hs), on(backend, v, b, h, tk, hs), am, causal,
                  scale, on(backend, dout, b, h, tq, hs));
          for (int i = 0; i < 3; i++) {
            same(e[i], a[i], what + " backward " + "qkv".charAt(i));
          }
        }
      }
    }
  }

  @Test
  void attentionWithAFullPerHeadMask() {
    SplittableRandom r = Check.random(13);
    int b = 2;
    int h = 3;
    int tq = 150;
    int tk = 270;
    int hs = 8;
    float[] q = Check.uniform(r, b * h * tq * hs);
    float[] k = Check.uniform(r, b * h * tk * hs);
    float[] v = Check.uniform(r, b * h * tk * hs);
    float[] dout = Check.uniform(r, b * h * tq * hs);
    float[] mask = new float[b * h * tq * tk];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = r.nextInt(4) == 0 ? -1e9f : (float) r.nextDouble(-1, 1); // additive biases too
    }
    for (boolean causal : new boolean[] {false, true}) {
      String what = "attention with a (B, nh, Tq, Tk) mask, causal=" + causal;
      same(
          ref.attention(on(ref, q, b, h, tq, hs), on(ref, k, b, h, tk, hs), on(ref, v, b, h, tk, hs),
              on(ref, mask, b, h, tq, tk), causal, 0.3f),
          backend.attention(on(backend, q, b, h, tq, hs), on(backend, k, b, h, tk, hs),
              on(backend, v, b, h, tk, hs), on(backend, mask, b, h, tq, tk), causal, 0.3f),
          what);
      Tensor[] e =
          ref.attentionBackward(on(ref, q, b, h, tq, hs), on(ref, k, b, h, tk, hs),
              on(ref, v, b, h, tk, hs), on(ref, mask, b, h, tq, tk), causal, 0.3f,
              on(ref, dout, b, h, tq, hs));
      Tensor[] a =
          backend.attentionBackward(on(backend, q, b, h, tq, hs), on(backend, k, b, h, tk, hs),
              on(backend, v, b, h, tk, hs), on(backend, mask, b, h, tq, tk), causal, 0.3f,
              on(backend, dout, b, h, tq, hs));
      for (int i = 0; i < 3; i++) {
        same(e[i], a[i], what + " backward " + "qkv".charAt(i));
      }
    }
  }

  @Test
  void layoutKernels() {
    SplittableRandom r = Check.random(12);
    float[] x = Check.uniform(r, 2 * 13 * 3 * 7);
    int[] sx = {2, 13, 3, 7};
    same(
        ref.permute(on(ref, x, sx), new int[] {0, 2, 1, 3}),
        backend.permute(on(backend, x, sx), new int[] {0, 2, 1, 3}),
        "permute (B, T, nh, hs) -> (B, nh, T, hs)");
    same(
        ref.permute(on(ref, x, sx), new int[] {3, 1, 0, 2}),
        backend.permute(on(backend, x, sx), new int[] {3, 1, 0, 2}),
        "permute 3102");
    same(ref.slice(on(ref, x, sx), 1, 4, 11), backend.slice(on(backend, x, sx), 1, 4, 11), "slice");
    float[] y = Check.uniform(r, 2 * 5 * 3 * 7);
    same(
        ref.concat(List.of(on(ref, x, sx), on(ref, y, 2, 5, 3, 7)), 1),
        backend.concat(List.of(on(backend, x, sx), on(backend, y, 2, 5, 3, 7)), 1),
        "concat");
    Tensor reshaped = backend.reshape(on(backend, x, sx), Shape.of(26, 21));
    assertEquals(Shape.of(26, 21), reshaped.shape());
    assertArrayEquals(x, reshaped.toFloatArray(), "reshape keeps the elements in order");
    Tensor z = backend.zeros(Shape.of(3, 4), DType.F32);
    assertArrayEquals(new float[12], z.toFloatArray());
    int[] ids = {5, 7, 9};
    assertArrayEquals(ids, backend.fromHost(ids, Shape.of(3)).toIntArray());
  }

  // ---------------------------------------------------------------- gradients

  private Ops ops;

  // One Ops per test class: the gradient check records on it, and the ops under test run on it.
  private Ops ops() {
    if (ops == null) {
      ops = new Ops(backend);
    }
    return ops;
  }

  private void grad(String what, float[][] in, int[][] shapes, java.util.function.Function<Tensor[], Tensor> f) {
    GradientCheck.check(what + " on " + backend.name(), ops(), in, shapes, f, 1e-2, GRAD_TOL, Check.SEED);
  }

  private float[] u(SplittableRandom r, int... dims) {
    return Check.uniform(r, Shape.of(dims).size());
  }

  @Test
  void gradientsOfElementwiseOps() {
    SplittableRandom r = Check.random(20);
    Ops o = ops();
    int[] a = {3, 13};
    int[] b = {13};
    grad("add", new float[][] {u(r, a), u(r, b)}, new int[][] {a, b}, x -> o.add(x[0], x[1]));
    grad("sub", new float[][] {u(r, a), u(r, b)}, new int[][] {a, b}, x -> o.sub(x[0], x[1]));
    grad("mul", new float[][] {u(r, a), u(r, 3, 1)}, new int[][] {a, {3, 1}}, x -> o.mul(x[0], x[1]));
    float[] den = u(r, b);
    for (int i = 0; i < den.length; i++) {
      den[i] = den[i] >= 0 ? den[i] + 1 : den[i] - 1;
    }
    grad("div", new float[][] {u(r, a), den}, new int[][] {a, b}, x -> o.div(x[0], x[1]));
    grad("affine", new float[][] {u(r, a)}, new int[][] {a}, x -> o.affine(x[0], -2f, 0.5f));
    grad("neg", new float[][] {u(r, a)}, new int[][] {a}, x -> o.neg(x[0]));
    grad("exp", new float[][] {u(r, a)}, new int[][] {a}, x -> o.exp(x[0]));
    grad("square", new float[][] {u(r, a)}, new int[][] {a}, x -> o.square(x[0]));
    float[] pos = u(r, a);
    for (int i = 0; i < pos.length; i++) {
      pos[i] = Math.abs(pos[i]) + 0.5f;
    }
    grad("log", new float[][] {pos}, new int[][] {a}, x -> o.log(x[0]));
    grad("sqrt", new float[][] {pos}, new int[][] {a}, x -> o.sqrt(x[0]));
    for (Activation f : Activation.values()) {
      float[] in = u(r, a);
      for (int i = 0; i < in.length; i++) {
        in[i] *= 3;
        if (f == Activation.RELU && Math.abs(in[i]) < 0.05f) {
          in[i] = 0.5f; // keep clear of the kink
        }
      }
      grad(f.name(), new float[][] {in}, new int[][] {a}, x -> o.activation(f, x[0]));
    }
  }

  @Test
  void gradientsOfMatmulAndLayout() {
    SplittableRandom r = Check.random(21);
    Ops o = ops();
    for (int t = 0; t < 4; t++) {
      boolean ta = (t & 1) != 0;
      boolean tb = (t & 2) != 0;
      int[] sa = ta ? new int[] {2, 5, 3} : new int[] {2, 3, 5};
      int[] sb = tb ? new int[] {4, 5} : new int[] {5, 4};
      grad(
          "matmul ta=" + ta + " tb=" + tb + " shared right",
          new float[][] {u(r, sa), u(r, sb)},
          new int[][] {sa, sb},
          x -> o.matmul(x[0], x[1], ta, tb));
      int[] sc = ta ? new int[] {5, 3} : new int[] {3, 5};
      int[] sd = tb ? new int[] {2, 4, 5} : new int[] {2, 5, 4};
      grad(
          "matmul ta=" + ta + " tb=" + tb + " shared left",
          new float[][] {u(r, sc), u(r, sd)},
          new int[][] {sc, sd},
          x -> o.matmul(x[0], x[1], ta, tb));
    }
    for (boolean tw : new boolean[] {false, true}) {
      int[] sw = tw ? new int[] {4, 5} : new int[] {5, 4};
      grad(
          "linear tw=" + tw,
          new float[][] {u(r, 2, 3, 5), u(r, sw), u(r, 4)},
          new int[][] {{2, 3, 5}, sw, {4}},
          x -> o.linear(x[0], x[1], tw, x[2]));
      grad(
          "linear without bias tw=" + tw,
          new float[][] {u(r, 3, 5), u(r, sw)},
          new int[][] {{3, 5}, sw},
          x -> o.linear(x[0], x[1], tw, null));
    }
    int[] s = {2, 3, 4};
    grad("reshape", new float[][] {u(r, s)}, new int[][] {s}, x -> o.reshape(x[0], 6, -1));
    grad("permute", new float[][] {u(r, s)}, new int[][] {s}, x -> o.permute(x[0], 2, 0, 1));
    grad("slice", new float[][] {u(r, s)}, new int[][] {s}, x -> o.slice(x[0], 1, 1, 3));
    grad(
        "concat",
        new float[][] {u(r, s), u(r, 2, 1, 4)},
        new int[][] {s, {2, 1, 4}},
        x -> o.concat(List.of(x[0], x[1]), 1));
    grad("sum", new float[][] {u(r, s)}, new int[][] {s}, x -> o.sum(x[0], 1, false));
    grad("mean", new float[][] {u(r, s)}, new int[][] {s}, x -> o.mean(x[0], -1, true));
  }

  @Test
  void gradientsOfSoftmaxNormsAndLoss() {
    SplittableRandom r = Check.random(22);
    Ops o = ops();
    int[] s = {2, 3, 5};
    Tensor mask = o.tensor(new float[] {0, 0, -1e9f, 0, 0}, 1, 1, 5);
    grad("softmax", new float[][] {u(r, s)}, new int[][] {s}, x -> o.softmax(x[0]));
    grad("masked causal softmax", new float[][] {u(r, 2, 5, 5)}, new int[][] {{2, 5, 5}}, x -> o.softmax(x[0], mask, true));
    grad("log_softmax", new float[][] {u(r, s)}, new int[][] {s}, x -> o.logSoftmax(x[0]));
    grad(
        "layer_norm",
        new float[][] {u(r, s), u(r, 5), u(r, 5)},
        new int[][] {s, {5}, {5}},
        x -> o.layerNorm(x[0], x[1], x[2], 1e-5f));
    grad("rms_norm", new float[][] {u(r, s), u(r, 5)}, new int[][] {s, {5}}, x -> o.rmsNorm(x[0], x[1], 1e-6f));
    Tensor ids = o.ids(new int[] {3, 1, 3, 0, 6, 2}, 2, 3);
    grad("embedding", new float[][] {u(r, 7, 4)}, new int[][] {{7, 4}}, x -> o.embedding(x[0], ids));
    grad("dropout", new float[][] {u(r, s)}, new int[][] {s}, x -> o.dropout(x[0], 0.3f, 7));
    Tensor targets = o.ids(new int[] {1, -100, 4, 0, 2, 3}, 2, 3);
    grad(
        "cross_entropy",
        new float[][] {u(r, s)},
        new int[][] {s},
        x -> o.crossEntropy(x[0], targets, -100, 0.1f));
  }

  @Test
  void gradientsOfAttention() {
    SplittableRandom r = Check.random(23);
    Ops o = ops();
    int[] sq = {2, 2, 3, 4};
    int[] sk = {2, 2, 5, 4};
    Tensor mask = o.tensor(new float[] {0, 0, 0, -1e9f, 0, 0, 0, 0, 0, 0}, 2, 1, 1, 5);
    for (boolean causal : new boolean[] {false, true}) {
      grad(
          "attention causal=" + causal,
          new float[][] {u(r, sq), u(r, sk), u(r, sk)},
          new int[][] {sq, sk, sk},
          x -> o.attention(x[0], x[1], x[2], mask, causal, 0.5f));
    }
  }

  @Test
  void recurrentStepMatchesReference() {
    SplittableRandom r = Check.random(31);
    // awkward sizes: H not a multiple of any vector width, B = 1, and one wide case
    int[][] cases = {{1, 1}, {3, 13}, {2, 64}, {5, 37}};
    for (io.github.transformers4j.api.RecurrentCell cell : io.github.transformers4j.api.RecurrentCell.values()) {
      for (int[] cs : cases) {
        int b = cs[0];
        int h = cs[1];
        int g = cell.gates() * h;
        float[] gx = Check.uniform(r, b * g);
        float[] hh = Check.uniform(r, b * h);
        float[] cc = cell.hasCell() ? Check.uniform(r, b * h) : null;
        float[] w = Check.uniform(r, g * h);
        float[] bias = Check.uniform(r, g);
        int sw = cell.hasCell() ? 2 * h : h;
        float[] ds = Check.uniform(r, b * sw);
        for (boolean withBias : new boolean[] {true, false}) {
          String what = "recurrent_step " + cell + " B=" + b + " H=" + h + " bias=" + withBias;
          Tensor[] e = ref.recurrentStep(cell, on(ref, gx, b, g), on(ref, hh, b, h),
              cc == null ? null : on(ref, cc, b, h), on(ref, w, g, h), withBias ? on(ref, bias, g) : null);
          Tensor[] a = backend.recurrentStep(cell, on(backend, gx, b, g), on(backend, hh, b, h),
              cc == null ? null : on(backend, cc, b, h), on(backend, w, g, h),
              withBias ? on(backend, bias, g) : null);
          same(e[0], a[0], what + " state");
          Tensor[] eb = ref.recurrentStepBackward(cell, on(ref, hh, b, h), cc == null ? null : on(ref, cc, b, h),
              on(ref, w, g, h), withBias ? on(ref, bias, g) : null, e[0], e[1], on(ref, ds, b, sw));
          Tensor[] ab = backend.recurrentStepBackward(cell, on(backend, hh, b, h),
              cc == null ? null : on(backend, cc, b, h), on(backend, w, g, h),
              withBias ? on(backend, bias, g) : null, a[0], a[1], on(backend, ds, b, sw));
          String[] names = {"dgx", "dh", "dc", "dW_hh", "db_hh"};
          for (int i = 0; i < 5; i++) {
            assertEquals(eb[i] == null, ab[i] == null, what + " backward " + names[i] + " presence");
            if (eb[i] != null) {
              same(eb[i], ab[i], what + " backward " + names[i]);
            }
          }
        }
      }
    }
  }

  @Test
  void gradientsOfRecurrentStep() {
    SplittableRandom r = Check.random(32);
    Ops o = ops();
    int b = 2;
    int h = 3;
    for (io.github.transformers4j.api.RecurrentCell cell : io.github.transformers4j.api.RecurrentCell.values()) {
      int g = cell.gates() * h;
      if (cell.hasCell()) {
        grad("recurrent_step " + cell,
            new float[][] {u(r, b, g), u(r, b, h), u(r, b, h), u(r, g, h), u(r, g)},
            new int[][] {{b, g}, {b, h}, {b, h}, {g, h}, {g}},
            x -> o.recurrentStep(cell, x[0], x[1], x[2], x[3], x[4]));
      } else {
        grad("recurrent_step " + cell,
            new float[][] {u(r, b, g), u(r, b, h), u(r, g, h), u(r, g)},
            new int[][] {{b, g}, {b, h}, {g, h}, {g}},
            x -> o.recurrentStep(cell, x[0], x[1], null, x[2], x[3]));
      }
    }
  }

  @Test
  void recurrentSequenceMatchesReference() {
    SplittableRandom r = Check.random(33);
    // {T, B, H}: one step, awkward widths, B below and above the GEMM's row tile, both directions
    int[][] cases = {{1, 1, 3}, {4, 3, 13}, {5, 9, 17}, {3, 17, 64}};
    for (io.github.transformers4j.api.RecurrentCell cell : io.github.transformers4j.api.RecurrentCell.values()) {
      for (int[] cs : cases) {
        int t = cs[0];
        int b = cs[1];
        int h = cs[2];
        int g = cell.gates() * h;
        int sw = cell.hasCell() ? 2 * h : h;
        float[] gx = Check.uniform(r, t * b * g);
        float[] h0 = Check.uniform(r, b * h);
        float[] c0 = cell.hasCell() ? Check.uniform(r, b * h) : null;
        float[] w = Check.uniform(r, g * h);
        float[] bias = Check.uniform(r, g);
        float[] ds = Check.uniform(r, t * b * sw);
        for (boolean reverse : new boolean[] {false, true}) {
          boolean withBias = !reverse || t % 2 == 1;
          String what = "recurrent_sequence " + cell + " T=" + t + " B=" + b + " H=" + h
              + " reverse=" + reverse + " bias=" + withBias;
          Tensor[] e = ref.recurrentSequence(cell, on(ref, gx, t, b, g), on(ref, h0, b, h),
              c0 == null ? null : on(ref, c0, b, h), on(ref, w, g, h),
              withBias ? on(ref, bias, g) : null, reverse);
          Tensor[] a = backend.recurrentSequence(cell, on(backend, gx, t, b, g),
              on(backend, h0, b, h), c0 == null ? null : on(backend, c0, b, h),
              on(backend, w, g, h), withBias ? on(backend, bias, g) : null, reverse);
          same(e[0], a[0], what + " states");
          Tensor[] eb = ref.recurrentSequenceBackward(cell, on(ref, gx, t, b, g), on(ref, h0, b, h),
              c0 == null ? null : on(ref, c0, b, h), on(ref, w, g, h),
              withBias ? on(ref, bias, g) : null, reverse, e[0], e[1], on(ref, ds, t, b, sw));
          Tensor[] ab = backend.recurrentSequenceBackward(cell, on(backend, gx, t, b, g),
              on(backend, h0, b, h), c0 == null ? null : on(backend, c0, b, h),
              on(backend, w, g, h), withBias ? on(backend, bias, g) : null, reverse, a[0], a[1],
              on(backend, ds, t, b, sw));
          String[] names = {"dgx", "dh0", "dc0", "dW_hh", "db_hh"};
          for (int i = 0; i < 5; i++) {
            assertEquals(eb[i] == null, ab[i] == null, what + " backward " + names[i] + " presence");
            if (eb[i] != null) {
              same(eb[i], ab[i], what + " backward " + names[i]);
            }
          }
        }
      }
    }
  }

  @Test
  void recurrentSequenceEqualsItsSteps() {
    // The sequence op against Ops.recurrentStep run step by step on this backend: same states.
    SplittableRandom r = Check.random(34);
    Ops o = ops();
    int t = 4;
    int b = 3;
    int h = 5;
    for (io.github.transformers4j.api.RecurrentCell cell : io.github.transformers4j.api.RecurrentCell.values()) {
      int g = cell.gates() * h;
      Tensor gx = o.tensor(Check.uniform(r, t * b * g), t, b, g);
      Tensor h0 = o.tensor(Check.uniform(r, b * h), b, h);
      Tensor c0 = cell.hasCell() ? o.tensor(Check.uniform(r, b * h), b, h) : null;
      Tensor w = o.tensor(Check.uniform(r, g * h), g, h);
      Tensor bias = o.tensor(Check.uniform(r, g), g);
      for (boolean reverse : new boolean[] {false, true}) {
        Tensor states = o.recurrentSequence(cell, gx, h0, c0, w, bias, reverse);
        Tensor hh = h0;
        Tensor cc = c0;
        for (int s = 0; s < t; s++) {
          int at = reverse ? t - 1 - s : s;
          Tensor x = o.reshape(o.slice(gx, 0, at, at + 1), b, g);
          Tensor next = o.recurrentStep(cell, x, hh, cc, w, bias);
          same(next, o.reshape(o.slice(states, 0, at, at + 1), b, -1),
              "recurrent_sequence " + cell + " reverse=" + reverse + " step " + at);
          hh = cell.hasCell() ? o.slice(next, 1, 0, h) : next;
          cc = cell.hasCell() ? o.slice(next, 1, h, 2 * h) : null;
        }
      }
    }
  }

  @Test
  void gradientsOfRecurrentSequence() {
    SplittableRandom r = Check.random(35);
    Ops o = ops();
    int t = 3;
    int b = 2;
    int h = 3;
    for (io.github.transformers4j.api.RecurrentCell cell : io.github.transformers4j.api.RecurrentCell.values()) {
      int g = cell.gates() * h;
      for (boolean reverse : new boolean[] {false, true}) {
        String what = "recurrent_sequence " + cell + " reverse=" + reverse;
        if (cell.hasCell()) {
          grad(what,
              new float[][] {u(r, t, b, g), u(r, b, h), u(r, b, h), u(r, g, h), u(r, g)},
              new int[][] {{t, b, g}, {b, h}, {b, h}, {g, h}, {g}},
              x -> o.recurrentSequence(cell, x[0], x[1], x[2], x[3], x[4], reverse));
        } else {
          grad(what,
              new float[][] {u(r, t, b, g), u(r, b, h), u(r, g, h), u(r, g)},
              new int[][] {{t, b, g}, {b, h}, {g, h}, {g}},
              x -> o.recurrentSequence(cell, x[0], x[1], null, x[2], x[3], reverse));
        }
      }
    }
  }
}
