package io.github.transformers4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.transformers4j.api.DType;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kernel of {@link CpuBackend} against the naive {@link ReferenceBackend} (the api's
 * {@code HostKernels}, double-precision where it accumulates) on random inputs of awkward sizes.
 *
 * <p>Tolerance, unless a test says otherwise: {@code |cpu − ref| ≤ 1e-5·(|ref| + scale)} where
 * {@code scale} is the mean magnitude of the reference output, i.e. relative error 1e-5 with an
 * absolute floor at the tensor's own magnitude (float sums of a few hundred terms reordered for
 * SIMD differ from a double-precision oracle by a few 1e-7 relative). Copies (permute, slice,
 * concat, embedding, dropout, broadcast) must match exactly. Every failure prints the seed.
 */
class CpuBackendTest {
  private static final int[] SIZES = {1, 3, 13, 64, 127, 207};
  private static final float RTOL = 1e-5f;
  private static CpuBackend cpu;
  private static ReferenceBackend ref;

  @BeforeAll
  static void setUp() {
    // Two threads so the parallel paths run even on a one-core CI machine.
    cpu = new CpuBackend(2);
    ref = new ReferenceBackend();
  }

  @AfterAll
  static void tearDown() {
    cpu.close();
  }

  // ---- helpers ----

  static float[] rand(SplittableRandom r, int n, double lo, double hi) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextDouble(lo, hi);
    }
    return x;
  }

  static float[] rand(SplittableRandom r, Shape s) {
    return rand(r, s.size(), -2, 2);
  }

  static int size(SplittableRandom r) {
    return SIZES[r.nextInt(SIZES.length)];
  }

  static void close(String what, long seed, Tensor got, Tensor want, float rtol) {
    assertEquals(want.shape(), got.shape(), what + " shape, seed " + seed);
    float[] g = got.toFloatArray();
    float[] w = want.toFloatArray();
    double scale = 0;
    for (float v : w) {
      scale += Math.abs(v);
    }
    scale = w.length == 0 ? 0 : scale / w.length;
    for (int i = 0; i < w.length; i++) {
      if (Float.isNaN(w[i]) && Float.isNaN(g[i])) {
        continue;
      }
      double tol = rtol * (Math.abs(w[i]) + scale);
      if (!(Math.abs(g[i] - w[i]) <= tol)) {
        fail(String.format("%s, seed %d, shape %s: element %d is %s, expected %s (tol %.3g)", what,
            seed, want.shape(), i, g[i], w[i], tol));
      }
    }
  }

  static void exact(String what, long seed, Tensor got, Tensor want) {
    assertEquals(want.shape(), got.shape(), what + " shape, seed " + seed);
    if (want.dtype() == DType.I32) {
      assertArrayEquals(want.toIntArray(), got.toIntArray(), what + ", seed " + seed);
    } else {
      assertArrayEquals(want.toFloatArray(), got.toFloatArray(), what + ", seed " + seed);
    }
  }

  /** The same host data on both backends. */
  record Pair(Tensor c, Tensor r) {}

  static Pair pair(float[] data, Shape s) {
    return new Pair(cpu.fromHost(data, s), ref.fromHost(data, s));
  }

  static Pair ipair(int[] data, Shape s) {
    return new Pair(cpu.fromHost(data, s), ref.fromHost(data, s));
  }

  // ---- linear algebra ----

  @Test
  void linearGivesTheSameBitsWhenItsWeightIsPrepacked() {
    long seed = 103;
    SplittableRandom r = new SplittableRandom(seed);
    try (CpuBackend on = new CpuBackend(2, true);
        CpuBackend off = new CpuBackend(2, false)) {
      for (boolean tw : new boolean[] {false, true}) {
        float[] w = rand(r, 384 * 200, -1, 1);
        float[] bias = rand(r, 200, -1, 1);
        Shape sw = tw ? Shape.of(200, 384) : Shape.of(384, 200);
        Tensor wOn = on.fromHost(w, sw);
        Tensor bOn = on.fromHost(bias, Shape.of(200));
        Tensor wOff = off.fromHost(w, sw);
        Tensor bOff = off.fromHost(bias, Shape.of(200));
        // First call packs per call, the second packs the weight for keeps, the third reuses it.
        for (int call = 0; call < 3; call++) {
          float[] x = rand(r, 2 * 64 * 384, -1, 1);
          Tensor want = off.linear(off.fromHost(x, Shape.of(2, 64, 384)), wOff, tw, bOff);
          Tensor got = on.linear(on.fromHost(x, Shape.of(2, 64, 384)), wOn, tw, bOn);
          exact("linear tw=" + tw + " call " + call, seed, got, want);
          Tensor noBias = on.linear(on.fromHost(x, Shape.of(2, 64, 384)), wOn, tw, null);
          exact("linear without bias tw=" + tw + " call " + call, seed, noBias,
              off.matmul(off.fromHost(x, Shape.of(2, 64, 384)), wOff, false, tw));
        }
      }
    }
  }

  @Test
  void matmulAllBatchLayoutsAndTransposes() {
    long seed = 101;
    SplittableRandom r = new SplittableRandom(seed);
    for (int it = 0; it < 40; it++) {
      int m = size(r);
      int n = size(r);
      int k = size(r);
      boolean ta = r.nextBoolean();
      boolean tb = r.nextBoolean();
      int layout = r.nextInt(4); // 0: plain, 1: batched both, 2: shared b, 3: shared a
      int b0 = 1 + r.nextInt(3);
      Shape sa = ta ? Shape.of(k, m) : Shape.of(m, k);
      Shape sb = tb ? Shape.of(n, k) : Shape.of(k, n);
      if (layout == 1 || layout == 2) {
        sa = Shape.of(b0, 2).append(sa.dims());
      }
      if (layout == 1 || layout == 3) {
        sb = Shape.of(b0, 2).append(sb.dims());
      }
      if ((long) sa.size() * n > 3_000_000) {
        continue; // keep the oracle fast
      }
      Pair a = pair(rand(r, sa), sa);
      Pair b = pair(rand(r, sb), sb);
      close("matmul " + sa + (ta ? "ᵀ" : "") + "·" + sb + (tb ? "ᵀ" : ""), seed,
          cpu.matmul(a.c, b.c, ta, tb), ref.matmul(a.r, b.r, ta, tb), RTOL);
    }
  }

  @Test
  void matmulWithLargeBatchOfSmallMatricesAndOneBigProduct() {
    long seed = 102;
    SplittableRandom r = new SplittableRandom(seed);
    Shape sa = Shape.of(3, 4, 13, 64);
    Shape sb = Shape.of(3, 4, 207, 64);
    Pair a = pair(rand(r, sa), sa);
    Pair b = pair(rand(r, sb), sb);
    close("batched q·kᵀ", seed, cpu.matmul(a.c, b.c, false, true), ref.matmul(a.r, b.r, false, true),
        RTOL);
    Shape sx = Shape.of(1024, 127);
    Shape sw = Shape.of(207, 127);
    Pair x = pair(rand(r, sx), sx);
    Pair w = pair(rand(r, sw), sw);
    close("x·wᵀ 1024", seed, cpu.matmul(x.c, w.c, false, true), ref.matmul(x.r, w.r, false, true),
        RTOL);
  }

  // ---- elementwise ----

  @Test
  void binaryWithBroadcasting() {
    long seed = 201;
    SplittableRandom r = new SplittableRandom(seed);
    for (int it = 0; it < 30; it++) {
      int b = 1 + r.nextInt(3);
      int t = size(r);
      int c = size(r);
      Shape full = Shape.of(b, t, c);
      Shape[] others = {
        full, Shape.of(c), Shape.of(b, t, 1), Shape.of(), Shape.of(1, t, 1), Shape.of(b, 1, c),
        Shape.of(t, c)
      };
      Shape so = others[r.nextInt(others.length)];
      boolean swap = r.nextBoolean();
      Shape sa = swap ? so : full;
      Shape sb = swap ? full : so;
      for (BinaryOp op : BinaryOp.values()) {
        float[] db = rand(r, sb);
        if (op == BinaryOp.DIV) {
          for (int i = 0; i < db.length; i++) {
            db[i] = db[i] >= 0 ? db[i] + 0.5f : db[i] - 0.5f; // away from 0
          }
        }
        Pair x = pair(rand(r, sa), sa);
        Pair y = pair(db, sb);
        close(op + " " + sa + " " + sb, seed, cpu.binary(op, x.c, y.c), ref.binary(op, x.r, y.r),
            RTOL);
      }
    }
    // Both operands broadcast: (B, 1, C) op (1, T, 1).
    Shape sa = Shape.of(3, 1, 13);
    Shape sb = Shape.of(1, 127, 1);
    Pair x = pair(rand(r, sa), sa);
    Pair y = pair(rand(r, sb), sb);
    close("MUL outer", seed, cpu.binary(BinaryOp.MUL, x.c, y.c), ref.binary(BinaryOp.MUL, x.r, y.r),
        RTOL);
    // Large enough to split over threads.
    Shape big = Shape.of(207, 1024);
    Pair p = pair(rand(r, big), big);
    Pair q = pair(rand(r, big), big);
    close("ADD big", seed, cpu.binary(BinaryOp.ADD, p.c, q.c), ref.binary(BinaryOp.ADD, p.r, q.r),
        RTOL);
  }

  @Test
  void unaryAffineActivationsAndBackward() {
    long seed = 301;
    SplittableRandom r = new SplittableRandom(seed);
    for (int n : new int[] {1, 13, 207, 127 * 1024}) {
      Shape s = Shape.of(n);
      float[] d = rand(r, n, -6, 6);
      float[] pos = rand(r, n, 0.01, 9);
      Pair x = pair(d, s);
      Pair xp = pair(pos, s);
      Pair dy = pair(rand(r, s), s);
      for (UnaryOp op : UnaryOp.values()) {
        Pair in = op == UnaryOp.LOG || op == UnaryOp.SQRT ? xp : x;
        close(op + " n=" + n, seed, cpu.unary(op, in.c), ref.unary(op, in.r), RTOL);
      }
      close("affine", seed, cpu.affine(x.c, -1.5f, 0.25f), ref.affine(x.r, -1.5f, 0.25f), RTOL);
      for (Activation f : Activation.values()) {
        close(f + " n=" + n, seed, cpu.activation(f, x.c), ref.activation(f, x.r), RTOL);
        close(f + "' n=" + n, seed, cpu.activationBackward(f, x.c, dy.c),
            ref.activationBackward(f, x.r, dy.r), RTOL);
      }
    }
  }

  @Test
  void dropoutMatchesTheCounterBasedMaskExactly() {
    long seed = 302;
    SplittableRandom r = new SplittableRandom(seed);
    Shape s = Shape.of(127, 1024);
    Pair x = pair(rand(r, s), s);
    for (float p : new float[] {0f, 0.1f, 0.5f}) {
      exact("dropout p=" + p, seed, cpu.dropout(x.c, p, 42L), ref.dropout(x.r, p, 42L));
    }
    assertThrows(IllegalArgumentException.class, () -> cpu.dropout(x.c, 1f, 1L));
  }

  // ---- reductions and broadcast ----

  @Test
  void reductionsSumToBroadcastTo() {
    long seed = 401;
    SplittableRandom r = new SplittableRandom(seed);
    for (int it = 0; it < 12; it++) {
      Shape s = Shape.of(size(r), 1 + r.nextInt(5), size(r));
      Pair x = pair(rand(r, s), s);
      for (ReduceOp op : ReduceOp.values()) {
        for (int axis = -3; axis < 3; axis++) {
          boolean keep = r.nextBoolean();
          close(op + " axis " + axis, seed, cpu.reduce(op, x.c, axis, keep),
              ref.reduce(op, x.r, axis, keep), RTOL);
        }
      }
      int[] d = s.dims();
      Shape[] targets = {Shape.of(d[2]), Shape.of(d[0], 1, d[2]), Shape.of(1, d[1], 1), Shape.of(),
          s};
      for (Shape t : targets) {
        close("sumTo " + t, seed, cpu.sumTo(x.c, t), ref.sumTo(x.r, t), RTOL);
        Pair small = pair(rand(r, t), t);
        exact("broadcastTo " + t, seed, cpu.broadcastTo(small.c, s), ref.broadcastTo(small.r, s));
      }
    }
  }

  // ---- softmax and normalization ----

  @Test
  void softmaxWithMasksAndCausal() {
    long seed = 501;
    SplittableRandom r = new SplittableRandom(seed);
    for (int it = 0; it < 16; it++) {
      int b = 1 + r.nextInt(2);
      int tq = size(r);
      int tk = tq + (r.nextBoolean() ? 0 : r.nextInt(20));
      Shape s = Shape.of(b, 2, tq, tk);
      Pair x = pair(rand(r, s.size(), -8, 8), s);
      // Padding mask (B, 1, 1, Tk) with some -inf, or none.
      Pair mask = null;
      if (r.nextBoolean()) {
        Shape sm = Shape.of(b, 1, 1, tk);
        float[] m = new float[sm.size()];
        for (int i = 0; i < m.length; i++) {
          m[i] = r.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : 0f;
        }
        mask = pair(m, sm);
      }
      boolean causal = r.nextBoolean();
      Tensor got = cpu.softmax(x.c, mask == null ? null : mask.c, causal);
      Tensor want = ref.softmax(x.r, mask == null ? null : mask.r, causal);
      close("softmax causal=" + causal + " mask=" + (mask != null), seed, got, want, RTOL);
      // The backwards take the same y on both sides: y·(dy − Σ y·dy) cancels where dy is close to
      // the row's dot, so a forward rounding (or another summation order, as with 128-bit
      // vectors) would be amplified far past the tolerance without any kernel being wrong.
      Pair dy = pair(rand(r, s), s);
      Pair y = pair(want.toFloatArray(), s);
      close("softmax'", seed, cpu.softmaxBackward(y.c, dy.c), ref.softmaxBackward(y.r, dy.r),
          RTOL);
      Tensor ly = cpu.logSoftmax(x.c);
      Tensor lr = ref.logSoftmax(x.r);
      close("logSoftmax", seed, ly, lr, RTOL);
      Pair lyr = pair(lr.toFloatArray(), s);
      close("logSoftmax'", seed, cpu.logSoftmaxBackward(lyr.c, dy.c),
          ref.logSoftmaxBackward(lyr.r, dy.r), RTOL);
    }
  }

  @Test
  void softmaxRowThatSeesNothingIsZeros() {
    Shape s = Shape.of(2, 3);
    Tensor x = cpu.fromHost(new float[] {1, 2, 3, 4, 5, 6}, s);
    float ninf = Float.NEGATIVE_INFINITY;
    Tensor mask = cpu.fromHost(new float[] {ninf, ninf, ninf, 0, 0, ninf}, s);
    float[] y = cpu.softmax(x, mask, false).toFloatArray();
    assertArrayEquals(new float[] {0, 0, 0}, java.util.Arrays.copyOf(y, 3));
    assertEquals(1f, y[3] + y[4], 1e-6f);
    // Causal with Tq > Tk: the first query rows see no key at all.
    Tensor x2 = cpu.fromHost(new float[12], Shape.of(4, 3));
    float[] y2 = cpu.softmax(x2, null, true).toFloatArray();
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0}, java.util.Arrays.copyOf(y2, 6), 1e-6f);
  }

  @Test
  void layerNormAndRmsNormWithBackward() {
    long seed = 601;
    SplittableRandom r = new SplittableRandom(seed);
    for (int it = 0; it < 10; it++) {
      int c = size(r);
      Shape s = Shape.of(1 + r.nextInt(3), size(r), c);
      Pair x = pair(rand(r, s.size(), -3, 5), s);
      Pair g = pair(rand(r, Shape.of(c)), Shape.of(c));
      Pair bt = pair(rand(r, Shape.of(c)), Shape.of(c));
      Pair dy = pair(rand(r, s), s);
      close("layerNorm C=" + c, seed, cpu.layerNorm(x.c, g.c, bt.c, 1e-5f),
          ref.layerNorm(x.r, g.r, bt.r, 1e-5f), RTOL);
      Tensor[] gc = cpu.layerNormBackward(x.c, g.c, 1e-5f, dy.c);
      Tensor[] gr = ref.layerNormBackward(x.r, g.r, 1e-5f, dy.r);
      // Parameter gradients sum over up to 600 rows in float: a looser 3e-5.
      close("layerNorm dx", seed, gc[0], gr[0], 3e-5f);
      close("layerNorm dgamma", seed, gc[1], gr[1], 3e-5f);
      close("layerNorm dbeta", seed, gc[2], gr[2], 3e-5f);
      close("rmsNorm", seed, cpu.rmsNorm(x.c, g.c, 1e-6f), ref.rmsNorm(x.r, g.r, 1e-6f), RTOL);
      Tensor[] rc = cpu.rmsNormBackward(x.c, g.c, 1e-6f, dy.c);
      Tensor[] rr = ref.rmsNormBackward(x.r, g.r, 1e-6f, dy.r);
      close("rmsNorm dx", seed, rc[0], rr[0], 3e-5f);
      close("rmsNorm dgamma", seed, rc[1], rr[1], 3e-5f);
    }
  }

  // ---- embeddings and loss ----

  @Test
  void embeddingAndScatterAdd() {
    long seed = 701;
    SplittableRandom r = new SplittableRandom(seed);
    int v = 207;
    int c = 13;
    Pair table = pair(rand(r, Shape.of(v, c)), Shape.of(v, c));
    int[] ids = new int[3 * 64];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(20); // repeats, so the scatter really adds
    }
    Pair id = ipair(ids, Shape.of(3, 64));
    exact("embedding", seed, cpu.embedding(table.c, id.c), ref.embedding(table.r, id.r));
    Pair dy = pair(rand(r, Shape.of(3, 64, c)), Shape.of(3, 64, c));
    close("embedding'", seed, cpu.embeddingBackward(id.c, dy.c, v),
        ref.embeddingBackward(id.r, dy.r, v), RTOL);
    Tensor bad = cpu.fromHost(new int[] {0, v}, Shape.of(2));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> cpu.embedding(table.c, bad));
    assertTrue(e.getMessage().contains("207"), e.getMessage());
  }

  @Test
  void crossEntropyWithIgnoreIndexAndSmoothing() {
    long seed = 801;
    SplittableRandom r = new SplittableRandom(seed);
    for (int it = 0; it < 8; it++) {
      int n = size(r);
      int v = size(r) + 1;
      Pair logits = pair(rand(r, n * v, -5, 5), Shape.of(n, v));
      int[] t = new int[n];
      for (int i = 0; i < n; i++) {
        t[i] = r.nextInt(5) == 0 ? -100 : r.nextInt(v);
      }
      Pair targets = ipair(t, Shape.of(n));
      float eps = r.nextBoolean() ? 0f : 0.1f;
      close("crossEntropy eps=" + eps, seed, cpu.crossEntropy(logits.c, targets.c, -100, eps),
          ref.crossEntropy(logits.r, targets.r, -100, eps), RTOL);
      close("crossEntropy'", seed,
          cpu.crossEntropyBackward(logits.c, targets.c, -100, eps, 0.5f),
          ref.crossEntropyBackward(logits.r, targets.r, -100, eps, 0.5f), RTOL);
    }
    Tensor logits = cpu.fromHost(new float[] {1, 2, 3, 4}, Shape.of(2, 2));
    Tensor none = cpu.fromHost(new int[] {-1, -1}, Shape.of(2));
    assertEquals(0f, cpu.crossEntropy(logits, none, -1, 0f).item());
    assertArrayEquals(new float[4], cpu.crossEntropyBackward(logits, none, -1, 0f, 1f).toFloatArray());
  }

  // ---- layout ----

  @Test
  void permuteSliceConcatReshape() {
    long seed = 901;
    SplittableRandom r = new SplittableRandom(seed);
    Shape s = Shape.of(2, 13, 3, 7);
    Pair x = pair(rand(r, s), s);
    int[][] perms = {{0, 2, 1, 3}, {3, 2, 1, 0}, {0, 1, 3, 2}, {1, 0, 2, 3}, {0, 1, 2, 3},
        {2, 0, 3, 1}};
    for (int[] p : perms) {
      exact("permute " + java.util.Arrays.toString(p), seed, cpu.permute(x.c, p), ref.permute(x.r, p));
    }
    int[] ints = new int[s.size()];
    for (int i = 0; i < ints.length; i++) {
      ints[i] = i;
    }
    // The reference permutes floats only: compare the I32 permute with the F32 one of the same
    // values.
    float[] asFloats = new float[ints.length];
    for (int i = 0; i < ints.length; i++) {
      asFloats[i] = ints[i];
    }
    int[] permutedInts = cpu.permute(cpu.fromHost(ints, s), perms[5]).toIntArray();
    float[] permutedFloats = cpu.permute(cpu.fromHost(asFloats, s), perms[5]).toFloatArray();
    for (int i = 0; i < ints.length; i++) {
      assertEquals(permutedFloats[i], (float) permutedInts[i], "permute int at " + i);
    }
    for (int axis = 0; axis < 4; axis++) {
      int d = s.dim(axis);
      exact("slice axis " + axis, seed, cpu.slice(x.c, axis, d / 3, d), ref.slice(x.r, axis, d / 3, d));
      Shape s2 = s.with(axis, 5);
      Pair y = pair(rand(r, s2), s2);
      exact("concat axis " + axis, seed, cpu.concat(List.of(x.c, y.c, x.c), axis),
          ref.concat(List.of(x.r, y.r, x.r), axis));
    }
    Tensor v = cpu.reshape(x.c, Shape.of(26, 21));
    assertArrayEquals(x.c.toFloatArray(), v.toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> cpu.reshape(x.c, Shape.of(5, 5)));
  }

  // ---- attention ----

  /** The SPI's composed default, spelled out, on the CPU kernels. */
  static Tensor composed(ComputeBackend be, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal,
      float scale) {
    Tensor scores = be.affine(be.matmul(q, k, false, true), scale, 0f);
    return be.matmul(be.softmax(scores, mask, causal), v, false, false);
  }

  @Test
  void fusedAttentionMatchesComposed() {
    long seed = 1001;
    SplittableRandom r = new SplittableRandom(seed);
    int[][] shapes = {{1, 1, 1, 1, 1}, {2, 3, 13, 13, 8}, {1, 2, 64, 64, 64}, {2, 2, 127, 207, 16},
        {1, 4, 207, 127, 32}, {1, 1, 3, 300, 13}, {1, 2, 300, 3, 64}};
    for (int[] d : shapes) {
      int b = d[0];
      int nh = d[1];
      int tq = d[2];
      int tk = d[3];
      int hs = d[4];
      Shape sq = Shape.of(b, nh, tq, hs);
      Shape sk = Shape.of(b, nh, tk, hs);
      Tensor q = cpu.fromHost(rand(r, sq), sq);
      Tensor k = cpu.fromHost(rand(r, sk), sk);
      Tensor v = cpu.fromHost(rand(r, sk), sk);
      float scale = (float) (1 / Math.sqrt(hs));
      Shape sm = Shape.of(b, 1, 1, tk);
      float[] m = new float[sm.size()];
      for (int i = 0; i < m.length; i++) {
        m[i] = r.nextInt(3) == 0 ? -1e9f : 0f;
      }
      Tensor mask = cpu.fromHost(m, sm);
      for (int variant = 0; variant < 4; variant++) {
        boolean causal = (variant & 1) != 0;
        Tensor mk = (variant & 2) != 0 ? mask : null;
        close("attention " + java.util.Arrays.toString(d) + " causal=" + causal + " mask="
                + (mk != null), seed,
            cpu.attention(q, k, v, mk, causal, scale), composed(cpu, q, k, v, mk, causal, scale),
            RTOL);
      }
    }
  }

  @Test
  void fusedAttentionFullyMaskedRowsAreZeros() {
    Shape s = Shape.of(1, 1, 2, 4);
    Tensor q = cpu.fromHost(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, s);
    float ninf = Float.NEGATIVE_INFINITY;
    // Query 0 sees no key; query 1 sees both.
    Tensor mask = cpu.fromHost(new float[] {ninf, ninf, 0, 0}, Shape.of(1, 1, 2, 2));
    float[] out = cpu.attention(q, q, q, mask, false, 0.5f).toFloatArray();
    float[] want = composed(cpu, q, q, q, mask, false, 0.5f).toFloatArray();
    assertArrayEquals(want, out, 1e-5f);
    assertArrayEquals(new float[4], java.util.Arrays.copyOfRange(out, 0, 4));
  }

  // ---- bad inputs ----

  @Test
  void rejectsTensorsOfOtherBackendsAndClosedTensors() {
    Tensor foreign = ref.fromHost(new float[] {1, 2}, Shape.of(2));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> cpu.unary(UnaryOp.NEG, foreign));
    assertTrue(e.getMessage().contains("reference"), e.getMessage());
    Tensor t = cpu.fromHost(new float[] {1, 2}, Shape.of(2));
    Tensor view = cpu.reshape(t, Shape.of(1, 2));
    t.close();
    t.close(); // twice is allowed
    assertTrue(t.isClosed());
    IllegalStateException s =
        assertThrows(IllegalStateException.class, () -> cpu.affine(t, 1f, 0f));
    assertTrue(s.getMessage().contains("closed"), s.getMessage());
    assertThrows(IllegalStateException.class, t::toFloatArray);
    // A view keeps its own reference to the data.
    assertArrayEquals(new float[] {1, 2}, view.toFloatArray());
    Tensor ids = cpu.fromHost(new int[] {0}, Shape.of(1));
    assertThrows(IllegalArgumentException.class, () -> cpu.affine(ids, 1f, 0f));
    assertThrows(IllegalArgumentException.class,
        () -> cpu.binary(BinaryOp.ADD, view, cpu.fromHost(new float[3], Shape.of(3))));
  }
}
