package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.ReduceOp;
import io.github.transformers4j.cpu.exec.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Reductions along one axis and {@code sumTo}, the backward of broadcasting. */
public final class Reductions {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();

  private Reductions() {}

  /** {@code op} along {@code axis} of {@code x}; the result has the axis removed (row-major). */
  public static float[] reduce(Parallel par, ReduceOp op, float[] x, Shape sx, int axis) {
    int a = sx.axis(axis);
    int outer = sx.sizeBefore(a);
    int len = sx.dim(a);
    int inner = sx.sizeAfter(a);
    float[] y = new float[outer * inner];
    boolean max = op == ReduceOp.MAX;
    par.forRange(
        outer,
        Math.max(1, Elementwise.GRAIN / Math.max(1, len * inner)),
        (s, e) -> {
          for (int o = s; o < e; o++) {
            if (inner == 1) {
              // Contiguous row: one SIMD reduction.
              int base = o * len;
              int i = 0;
              int bound = S.loopBound(len);
              float acc;
              if (max) {
                FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (; i < bound; i += VL) {
                  m = m.max(FloatVector.fromArray(S, x, base + i));
                }
                acc = m.reduceLanes(VectorOperators.MAX);
                for (; i < len; i++) {
                  acc = Math.max(acc, x[base + i]);
                }
              } else {
                FloatVector sum = FloatVector.zero(S);
                for (; i < bound; i += VL) {
                  sum = sum.add(FloatVector.fromArray(S, x, base + i));
                }
                acc = sum.reduceLanes(VectorOperators.ADD);
                for (; i < len; i++) {
                  acc += x[base + i];
                }
              }
              y[o] = acc;
            } else {
              // Strided axis: accumulate whole rows of length inner, which are contiguous.
              int yo = o * inner;
              java.util.Arrays.fill(y, yo, yo + inner, max ? Float.NEGATIVE_INFINITY : 0f);
              int bound = S.loopBound(inner);
              for (int l = 0; l < len; l++) {
                int xo = (o * len + l) * inner;
                int i = 0;
                if (max) {
                  for (; i < bound; i += VL) {
                    FloatVector.fromArray(S, y, yo + i).max(FloatVector.fromArray(S, x, xo + i))
                        .intoArray(y, yo + i);
                  }
                  for (; i < inner; i++) {
                    y[yo + i] = Math.max(y[yo + i], x[xo + i]);
                  }
                } else {
                  for (; i < bound; i += VL) {
                    FloatVector.fromArray(S, y, yo + i).add(FloatVector.fromArray(S, x, xo + i))
                        .intoArray(y, yo + i);
                  }
                  for (; i < inner; i++) {
                    y[yo + i] += x[xo + i];
                  }
                }
              }
            }
            if (op == ReduceOp.MEAN) {
              for (int i = o * inner; i < (o + 1) * inner; i++) {
                y[i] /= len;
              }
            }
          }
        });
    return y;
  }

  /** Sums {@code x} (shape {@code sx}) down to {@code target}, which broadcasts to {@code sx}. */
  public static float[] sumTo(float[] x, Shape sx, Shape target) {
    float[] y = new float[target.size()];
    if (target.size() == x.length) {
      System.arraycopy(x, 0, y, 0, x.length);
      return y;
    }
    // Serial on purpose: rows of x scatter into shared rows of y, and the usual case (a bias
    // gradient, (B, T, C) -> (C)) is a memory-bound pass that one core nearly saturates.
    Broadcast bt = new Broadcast(target, sx);
    int n = bt.rowLength;
    int bound = S.loopBound(n);
    for (int r = 0; r < bt.rows; r++) {
      int yo = bt.rowBase(r);
      int xo = r * n;
      if (bt.innerStride == 1) {
        int i = 0;
        for (; i < bound; i += VL) {
          FloatVector.fromArray(S, y, yo + i).add(FloatVector.fromArray(S, x, xo + i))
              .intoArray(y, yo + i);
        }
        for (; i < n; i++) {
          y[yo + i] += x[xo + i];
        }
      } else {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
          acc += x[xo + i];
        }
        y[yo] += acc;
      }
    }
    return y;
  }
}
