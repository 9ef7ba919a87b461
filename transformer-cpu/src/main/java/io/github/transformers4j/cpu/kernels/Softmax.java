package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.cpu.exec.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Softmax and log-softmax over the last axis, with their backward, one row per loop step. */
public final class Softmax {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();

  private Softmax() {}

  /**
   * Softmax over the last axis of {@code x + mask}; {@code mask} (shape {@code sm}, broadcast to
   * {@code sx}) may be null. When {@code causal}, query row q of the last two axes (Tq, Tk) sees
   * keys {@code j <= q + Tk - Tq}. Rows that see nothing are zeros.
   */
  public static float[] softmax(
      Parallel par, float[] x, Shape sx, float[] mask, Shape sm, boolean causal) {
    int n = sx.rank() == 0 ? 1 : sx.dim(-1);
    int rows = n == 0 ? 0 : x.length / n;
    int tq = sx.rank() >= 2 ? sx.dim(-2) : 1;
    Broadcast bm = mask == null ? null : new Broadcast(sm, sx);
    float[] y = new float[x.length];
    par.forRange(
        rows,
        Math.max(1, Elementwise.GRAIN / Math.max(1, n)),
        (s, e) -> {
          int bound;
          for (int r = s; r < e; r++) {
            int o = r * n;
            int visible = causal ? Math.max(0, Math.min(n, r % tq + n - tq + 1)) : n;
            // Pass 1: logits (+ mask) into y, and their max.
            float max = Float.NEGATIVE_INFINITY;
            if (bm == null) {
              System.arraycopy(x, o, y, o, visible);
            } else {
              int mo = bm.rowBase(r);
              int ms = bm.innerStride;
              for (int j = 0; j < visible; j++) {
                y[o + j] = x[o + j] + mask[mo + j * ms];
              }
            }
            bound = S.loopBound(visible);
            int j = 0;
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; j < bound; j += VL) {
              vmax = vmax.max(FloatVector.fromArray(S, y, o + j));
            }
            max = vmax.reduceLanes(VectorOperators.MAX);
            for (; j < visible; j++) {
              max = Math.max(max, y[o + j]);
            }
            if (max == Float.NEGATIVE_INFINITY) {
              java.util.Arrays.fill(y, o, o + n, 0f); // nothing visible: zeros, not NaN
              continue;
            }
            // Pass 2: exponentials and their sum.
            FloatVector vsum = FloatVector.zero(S);
            FloatVector vm = FloatVector.broadcast(S, max);
            for (j = 0; j < bound; j += VL) {
              FloatVector ex = VMath.exp(FloatVector.fromArray(S, y, o + j).sub(vm));
              ex.intoArray(y, o + j);
              vsum = vsum.add(ex);
            }
            float sum = vsum.reduceLanes(VectorOperators.ADD);
            for (; j < visible; j++) {
              float ex = (float) Math.exp(y[o + j] - max);
              y[o + j] = ex;
              sum += ex;
            }
            // Pass 3: normalize; hidden keys get exactly 0.
            float inv = 1f / sum;
            for (j = 0; j < bound; j += VL) {
              FloatVector.fromArray(S, y, o + j).mul(inv).intoArray(y, o + j);
            }
            for (; j < visible; j++) {
              y[o + j] *= inv;
            }
            java.util.Arrays.fill(y, o + visible, o + n, 0f);
          }
        });
    return y;
  }

  /** {@code y·(dy − Σ dy·y)} over rows of length {@code n}. */
  public static float[] softmaxBackward(Parallel par, float[] y, float[] dy, int n) {
    float[] dx = new float[y.length];
    int rows = n == 0 ? 0 : y.length / n;
    par.forRange(
        rows,
        Math.max(1, Elementwise.GRAIN / Math.max(1, n)),
        (s, e) -> {
          int bound = S.loopBound(n);
          for (int r = s; r < e; r++) {
            int o = r * n;
            FloatVector acc = FloatVector.zero(S);
            int j = 0;
            for (; j < bound; j += VL) {
              acc = FloatVector.fromArray(S, dy, o + j).fma(FloatVector.fromArray(S, y, o + j), acc);
            }
            float dot = acc.reduceLanes(VectorOperators.ADD);
            for (; j < n; j++) {
              dot += dy[o + j] * y[o + j];
            }
            FloatVector vd = FloatVector.broadcast(S, dot);
            for (j = 0; j < bound; j += VL) {
              FloatVector.fromArray(S, dy, o + j).sub(vd).mul(FloatVector.fromArray(S, y, o + j))
                  .intoArray(dx, o + j);
            }
            for (; j < n; j++) {
              dx[o + j] = y[o + j] * (dy[o + j] - dot);
            }
          }
        });
    return dx;
  }

  /** log(softmax(x)) over rows of length {@code n}: {@code x − max − log Σ e^(x − max)}. */
  public static float[] logSoftmax(Parallel par, float[] x, int n) {
    float[] y = new float[x.length];
    int rows = n == 0 ? 0 : x.length / n;
    par.forRange(
        rows,
        Math.max(1, Elementwise.GRAIN / Math.max(1, n)),
        (s, e) -> {
          for (int r = s; r < e; r++) {
            int o = r * n;
            float max = rowMax(x, o, n);
            float lse = max + (float) Math.log(sumExp(x, o, n, max));
            for (int j = 0; j < n; j++) {
              y[o + j] = x[o + j] - lse;
            }
          }
        });
    return y;
  }

  /** {@code dy − exp(y)·Σ dy} over rows of length {@code n}. */
  public static float[] logSoftmaxBackward(Parallel par, float[] y, float[] dy, int n) {
    float[] dx = new float[y.length];
    int rows = n == 0 ? 0 : y.length / n;
    par.forRange(
        rows,
        Math.max(1, Elementwise.GRAIN / Math.max(1, n)),
        (s, e) -> {
          int bound = S.loopBound(n);
          for (int r = s; r < e; r++) {
            int o = r * n;
            float sum = 0f;
            for (int j = 0; j < n; j++) {
              sum += dy[o + j];
            }
            FloatVector vs = FloatVector.broadcast(S, sum);
            int j = 0;
            for (; j < bound; j += VL) {
              FloatVector.fromArray(S, dy, o + j)
                  .sub(VMath.exp(FloatVector.fromArray(S, y, o + j)).mul(vs))
                  .intoArray(dx, o + j);
            }
            for (; j < n; j++) {
              dx[o + j] = dy[o + j] - (float) Math.exp(y[o + j]) * sum;
            }
          }
        });
    return dx;
  }

  /** The max of {@code x[o, o + n)}; −∞ for an empty row. */
  static float rowMax(float[] x, int o, int n) {
    int bound = S.loopBound(n);
    FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int j = 0;
    for (; j < bound; j += VL) {
      vmax = vmax.max(FloatVector.fromArray(S, x, o + j));
    }
    float max = vmax.reduceLanes(VectorOperators.MAX);
    for (; j < n; j++) {
      max = Math.max(max, x[o + j]);
    }
    return max;
  }

  /** {@code Σ e^(x − max)} over {@code x[o, o + n)}, accumulated in double across vector sums. */
  static double sumExp(float[] x, int o, int n, float max) {
    int bound = S.loopBound(n);
    FloatVector vm = FloatVector.broadcast(S, max);
    FloatVector vsum = FloatVector.zero(S);
    int j = 0;
    for (; j < bound; j += VL) {
      vsum = vsum.add(VMath.exp(FloatVector.fromArray(S, x, o + j).sub(vm)));
    }
    double sum = vsum.reduceLanes(VectorOperators.ADD);
    for (; j < n; j++) {
      sum += Math.exp(x[o + j] - max);
    }
    return sum;
  }
}
