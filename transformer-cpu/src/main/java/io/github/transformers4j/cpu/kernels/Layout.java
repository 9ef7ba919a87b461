package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.api.Shape;
import java.util.List;

/**
 * Copies that move data between layouts: permute, slice and concat. Each works on the longest
 * contiguous runs it can find, so the common cases ((B, T, nh, hs) -> (B, nh, T, hs), slicing
 * heads, joining along the last axis) are {@link System#arraycopy} loops.
 */
public final class Layout {
  private Layout() {}

  /**
   * {@code x} (shape {@code sx}) permuted: output axis {@code i} is input axis {@code axes[i]};
   * {@code x} may be an {@code float[]} or an {@code int[]}.
   */
  public static Object permute(Object x, Shape sx, int[] axes, Shape out) {
    int r = sx.rank();
    int size = sx.size();
    Object y = x instanceof int[] ? new int[size] : new float[size];
    if (size == 0) {
      return y;
    }
    int[] inStrides = sx.strides();
    int[] od = out.dims();
    // Trailing axes that stay in place, in order, form a contiguous run copied at once.
    int keep = 0;
    int run = 1;
    while (keep < r && axes[r - 1 - keep] == r - 1 - keep) {
      run *= sx.dim(r - 1 - keep);
      keep++;
    }
    int lead = r - keep;
    int[] st = new int[lead];
    for (int i = 0; i < lead; i++) {
      st[i] = inStrides[axes[i]];
    }
    int[] pos = new int[lead];
    int src = 0;
    int runs = size / run;
    if (run == 1 && lead > 0) {
      // Pure element-wise scatter; the innermost output axis walks the input with stride st.
      int innerLen = od[lead - 1];
      int innerStride = st[lead - 1];
      for (int dst = 0; dst < size; dst += innerLen) {
        if (x instanceof float[] fx) {
          float[] fy = (float[]) y;
          for (int i = 0, s = src; i < innerLen; i++, s += innerStride) {
            fy[dst + i] = fx[s];
          }
        } else {
          int[] ix = (int[]) x;
          int[] iy = (int[]) y;
          for (int i = 0, s = src; i < innerLen; i++, s += innerStride) {
            iy[dst + i] = ix[s];
          }
        }
        src = advance(pos, od, st, lead - 2, src);
      }
      return y;
    }
    for (int k = 0; k < runs; k++) {
      System.arraycopy(x, src, y, k * run, run);
      src = advance(pos, od, st, lead - 1, src);
    }
    return y;
  }

  // Odometer step over output axes [0, last]; returns the new source offset.
  private static int advance(int[] pos, int[] dims, int[] st, int last, int src) {
    for (int i = last; i >= 0; i--) {
      pos[i]++;
      src += st[i];
      if (pos[i] < dims[i]) {
        return src;
      }
      src -= st[i] * dims[i];
      pos[i] = 0;
    }
    return src;
  }

  /** {@code x[..., start:end, ...]} along {@code axis}; {@code x} is a float[] or int[]. */
  public static Object slice(Object x, Shape sx, int axis, int start, int end) {
    int a = sx.axis(axis);
    int outer = sx.sizeBefore(a);
    int inner = sx.sizeAfter(a);
    int len = sx.dim(a);
    int run = (end - start) * inner;
    Object y = x instanceof int[] ? new int[outer * run] : new float[outer * run];
    for (int o = 0; o < outer; o++) {
      System.arraycopy(x, (o * len + start) * inner, y, o * run, run);
    }
    return y;
  }

  /** {@code parts} (float[] or int[] of shapes {@code shapes}) joined along {@code axis}. */
  public static Object concat(List<Object> parts, List<Shape> shapes, int axis, Shape out) {
    int a = out.axis(axis);
    int outer = out.sizeBefore(a);
    int inner = out.sizeAfter(a);
    int total = out.dim(a) * inner;
    Object y = parts.get(0) instanceof int[] ? new int[out.size()] : new float[out.size()];
    int col = 0;
    for (int p = 0; p < parts.size(); p++) {
      int run = shapes.get(p).dim(a) * inner;
      Object src = parts.get(p);
      for (int o = 0; o < outer; o++) {
        System.arraycopy(src, o * run, y, o * total + col, run);
      }
      col += run;
    }
    return y;
  }
}
