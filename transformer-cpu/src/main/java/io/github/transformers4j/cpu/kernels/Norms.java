package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.cpu.exec.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer normalization and RMS normalization over rows of length C, with their backward. Row
 * statistics use SIMD float sums; the parameter gradients are summed per thread and merged.
 */
public final class Norms {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();

  private Norms() {}

  /** {@code (x − mean)/sqrt(var + eps)·gamma + beta} per row of length {@code c}. */
  public static float[] layerNorm(
      Parallel par, float[] x, int c, float[] gamma, float[] beta, float eps) {
    float[] y = new float[x.length];
    int rows = c == 0 ? 0 : x.length / c;
    par.forRange(
        rows,
        Math.max(1, Elementwise.GRAIN / Math.max(1, c)),
        (s, e) -> {
          int bound = S.loopBound(c);
          for (int r = s; r < e; r++) {
            int o = r * c;
            float mean = sum(x, o, c) / c;
            float rstd = (float) (1 / Math.sqrt(centeredSquares(x, o, c, mean) / c + eps));
            FloatVector vm = FloatVector.broadcast(S, mean);
            FloatVector vr = FloatVector.broadcast(S, rstd);
            int j = 0;
            for (; j < bound; j += VL) {
              FloatVector xh = FloatVector.fromArray(S, x, o + j).sub(vm).mul(vr);
              xh.fma(FloatVector.fromArray(S, gamma, j), FloatVector.fromArray(S, beta, j))
                  .intoArray(y, o + j);
            }
            for (; j < c; j++) {
              y[o + j] = (x[o + j] - mean) * rstd * gamma[j] + beta[j];
            }
          }
        });
    return y;
  }

  /**
   * Rows per partial sum of the parameter gradients: fixed, so that dgamma and dbeta are the same
   * sums in the same order whatever the thread count and whichever thread finishes first.
   */
  static final int ROWS_PER_PARTIAL = 32;

  /** Gradients of layer norm: {@code {dx, dgamma, dbeta}}. */
  public static float[][] layerNormBackward(
      Parallel par, float[] x, int c, float[] gamma, float eps, float[] dy) {
    float[] dx = new float[x.length];
    int rows = c == 0 ? 0 : x.length / c;
    int blocks = (rows + ROWS_PER_PARTIAL - 1) / ROWS_PER_PARTIAL;
    float[][] pgs = new float[blocks][];
    float[][] pbs = new float[blocks][];
    par.forRange(
        blocks,
        Math.max(1, Elementwise.GRAIN / Math.max(1, c * ROWS_PER_PARTIAL)),
        (s, e) -> {
          float[] xhat = new float[c];
          for (int bl = s; bl < e; bl++) {
            float[] pg = new float[c];
            float[] pb = new float[c];
            for (int r = bl * ROWS_PER_PARTIAL; r < Math.min(rows, (bl + 1) * ROWS_PER_PARTIAL);
                r++) {
              int o = r * c;
              float mean = sum(x, o, c) / c;
              float rstd = (float) (1 / Math.sqrt(centeredSquares(x, o, c, mean) / c + eps));
              float sumG = 0f;
              float sumGx = 0f;
              for (int j = 0; j < c; j++) {
                float xh = (x[o + j] - mean) * rstd;
                xhat[j] = xh;
                float d = dy[o + j];
                float g = d * gamma[j];
                sumG += g;
                sumGx += g * xh;
                pg[j] += d * xh;
                pb[j] += d;
              }
              float mg = sumG / c;
              float mgx = sumGx / c;
              for (int j = 0; j < c; j++) {
                dx[o + j] = rstd * (dy[o + j] * gamma[j] - mg - xhat[j] * mgx);
              }
            }
            pgs[bl] = pg;
            pbs[bl] = pb;
          }
        });
    return new float[][] {dx, inOrder(pgs, c), inOrder(pbs, c)};
  }

  /** {@code x / sqrt(mean(x²) + eps)·gamma} per row of length {@code c}. */
  public static float[] rmsNorm(Parallel par, float[] x, int c, float[] gamma, float eps) {
    float[] y = new float[x.length];
    int rows = c == 0 ? 0 : x.length / c;
    par.forRange(
        rows,
        Math.max(1, Elementwise.GRAIN / Math.max(1, c)),
        (s, e) -> {
          int bound = S.loopBound(c);
          for (int r = s; r < e; r++) {
            int o = r * c;
            float rr = (float) (1 / Math.sqrt(centeredSquares(x, o, c, 0f) / c + eps));
            int j = 0;
            for (; j < bound; j += VL) {
              FloatVector.fromArray(S, x, o + j).mul(rr).mul(FloatVector.fromArray(S, gamma, j))
                  .intoArray(y, o + j);
            }
            for (; j < c; j++) {
              y[o + j] = x[o + j] * rr * gamma[j];
            }
          }
        });
    return y;
  }

  /** Gradients of RMS norm: {@code {dx, dgamma}}. */
  public static float[][] rmsNormBackward(
      Parallel par, float[] x, int c, float[] gamma, float eps, float[] dy) {
    float[] dx = new float[x.length];
    int rows = c == 0 ? 0 : x.length / c;
    int blocks = (rows + ROWS_PER_PARTIAL - 1) / ROWS_PER_PARTIAL;
    float[][] pgs = new float[blocks][];
    par.forRange(
        blocks,
        Math.max(1, Elementwise.GRAIN / Math.max(1, c * ROWS_PER_PARTIAL)),
        (s, e) -> {
          for (int bl = s; bl < e; bl++) {
            float[] pg = new float[c];
            for (int r = bl * ROWS_PER_PARTIAL; r < Math.min(rows, (bl + 1) * ROWS_PER_PARTIAL);
                r++) {
              int o = r * c;
              float rr = (float) (1 / Math.sqrt(centeredSquares(x, o, c, 0f) / c + eps));
              float dot = 0f;
              for (int j = 0; j < c; j++) {
                float d = dy[o + j];
                dot += d * gamma[j] * x[o + j];
                pg[j] += d * x[o + j] * rr;
              }
              float k = rr * rr * rr * dot / c;
              for (int j = 0; j < c; j++) {
                dx[o + j] = rr * dy[o + j] * gamma[j] - x[o + j] * k;
              }
            }
            pgs[bl] = pg;
          }
        });
    return new float[][] {dx, inOrder(pgs, c)};
  }

  // The blocks' partial sums added in block order (not under a lock as threads finish, which
  // changed the float sum from run to run).
  private static float[] inOrder(float[][] partials, int c) {
    float[] total = new float[c];
    for (float[] p : partials) {
      for (int j = 0; j < c; j++) {
        total[j] += p[j];
      }
    }
    return total;
  }

  static float sum(float[] x, int o, int n) {
    int bound = S.loopBound(n);
    FloatVector acc = FloatVector.zero(S);
    int j = 0;
    for (; j < bound; j += VL) {
      acc = acc.add(FloatVector.fromArray(S, x, o + j));
    }
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; j < n; j++) {
      s += x[o + j];
    }
    return s;
  }

  /** {@code Σ (x − mean)²} over {@code x[o, o + n)} (two-pass variance: no cancellation). */
  static float centeredSquares(float[] x, int o, int n, float mean) {
    int bound = S.loopBound(n);
    FloatVector vm = FloatVector.broadcast(S, mean);
    FloatVector acc = FloatVector.zero(S);
    int j = 0;
    for (; j < bound; j += VL) {
      FloatVector d = FloatVector.fromArray(S, x, o + j).sub(vm);
      acc = d.fma(d, acc);
    }
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; j < n; j++) {
      float d = x[o + j] - mean;
      s += d * d;
    }
    return s;
  }
}
