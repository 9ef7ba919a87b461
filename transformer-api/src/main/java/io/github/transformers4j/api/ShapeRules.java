package io.github.transformers4j.api;

import java.util.Arrays;
import java.util.List;

/**
 * The shape arithmetic of every kernel, shared by the {@code Ops} facade (which checks) and the
 * backends (which size their outputs). Each method fails with an {@link IllegalArgumentException}
 * that names the op and the shapes involved.
 */
public final class ShapeRules {
  private ShapeRules() {}

  /** Result of {@code matmul}; see {@link ComputeBackend#matmul}. */
  public static Shape matmul(Shape a, Shape b, boolean ta, boolean tb) {
    if (a.rank() < 2 || b.rank() < 2) {
      throw new IllegalArgumentException(
          "matmul: operands need rank >= 2, got " + a + " and " + b);
    }
    int m = ta ? a.dim(-1) : a.dim(-2);
    int ka = ta ? a.dim(-2) : a.dim(-1);
    int kb = tb ? b.dim(-1) : b.dim(-2);
    int n = tb ? b.dim(-2) : b.dim(-1);
    if (ka != kb) {
      throw new IllegalArgumentException(
          "matmul: inner dimensions differ: " + a + (ta ? "ᵀ" : "") + " · " + b + (tb ? "ᵀ" : "")
              + " (" + ka + " vs " + kb + ")");
    }
    Shape batchA = a.prefix(a.rank() - 2);
    Shape batchB = b.prefix(b.rank() - 2);
    Shape batch;
    if (batchB.rank() == 0) {
      batch = batchA;
    } else if (batchA.rank() == 0) {
      batch = batchB;
    } else if (batchA.equals(batchB)) {
      batch = batchA;
    } else {
      throw new IllegalArgumentException(
          "matmul: batch dimensions differ: " + a + " and " + b
              + " (they must be equal, or one operand a plain matrix)");
    }
    return batch.append(m, n);
  }

  /**
   * Result of {@code linear}: {@code x} (..., K) times {@code w} (K, N), or (N, K) when {@code
   * transposeW}, plus an optional {@code bias} (N); see {@link ComputeBackend#linear}.
   */
  public static Shape linear(Shape x, Shape w, boolean transposeW, Shape bias) {
    if (x.rank() < 2 || w.rank() != 2) {
      throw new IllegalArgumentException(
          "linear: input needs rank >= 2 and weight rank 2, got " + x + " and " + w);
    }
    int k = transposeW ? w.dim(1) : w.dim(0);
    int n = transposeW ? w.dim(0) : w.dim(1);
    if (x.dim(-1) != k) {
      throw new IllegalArgumentException(
          "linear: input " + x + " has " + x.dim(-1) + " features but weight " + w
              + (transposeW ? " (out, in)" : " (in, out)") + " takes " + k);
    }
    if (bias != null && (bias.rank() != 1 || bias.dim(0) != n)) {
      throw new IllegalArgumentException(
          "linear: bias " + bias + " does not match the " + n + " outputs of weight " + w);
    }
    return x.prefix(x.rank() - 1).append(n);
  }

  /** Result of a broadcasting binary op. */
  public static Shape broadcast(String op, Shape a, Shape b) {
    Shape s = Shape.broadcast(a, b);
    if (s == null) {
      throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " do not broadcast");
    }
    return s;
  }

  /** Result of a reduction along {@code axis}. */
  public static Shape reduce(String op, Shape x, int axis, boolean keepDim) {
    if (x.rank() == 0) {
      throw new IllegalArgumentException(op + ": cannot reduce a scalar of shape " + x);
    }
    int a = x.axis(axis);
    return keepDim ? x.with(a, 1) : x.without(a);
  }

  /** Checks that {@code from} broadcasts to {@code to} (for sumTo and broadcastTo). */
  public static void broadcastable(String op, Shape from, Shape to) {
    if (!from.broadcastsTo(to)) {
      throw new IllegalArgumentException(op + ": shape " + from + " does not broadcast to " + to);
    }
  }

  /** Result of {@code reshape}: same size. */
  public static Shape reshape(Shape x, Shape to) {
    if (x.size() != to.size()) {
      throw new IllegalArgumentException(
          "reshape: cannot view " + x + " (" + x.size() + " elements) as " + to + " (" + to.size()
              + " elements)");
    }
    return to;
  }

  /** Result of {@code permute}; {@code axes} must be a permutation of the axes. */
  public static Shape permute(Shape x, int[] axes) {
    if (axes.length != x.rank()) {
      throw new IllegalArgumentException(
          "permute: axes " + Arrays.toString(axes) + " do not match the rank of " + x);
    }
    boolean[] seen = new boolean[axes.length];
    int[] d = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      int a = axes[i];
      if (a < 0 || a >= axes.length || seen[a]) {
        throw new IllegalArgumentException(
            "permute: axes " + Arrays.toString(axes) + " are not a permutation for " + x);
      }
      seen[a] = true;
      d[i] = x.dim(a);
    }
    return Shape.of(d);
  }

  /** Result of {@code slice}. */
  public static Shape slice(Shape x, int axis, int start, int end) {
    int a = x.axis(axis);
    if (start < 0 || end > x.dim(a) || start > end) {
      throw new IllegalArgumentException(
          "slice: range [" + start + ", " + end + ") is outside axis " + axis + " of " + x);
    }
    return x.with(a, end - start);
  }

  /** Result of {@code concat}. */
  public static Shape concat(List<Shape> parts, int axis) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("concat: no tensors to join");
    }
    Shape first = parts.get(0);
    int a = first.axis(axis);
    int total = 0;
    for (Shape s : parts) {
      if (s.rank() != first.rank() || !s.with(a, 0).equals(first.with(a, 0))) {
        throw new IllegalArgumentException(
            "concat: shapes " + parts + " differ outside axis " + axis);
      }
      total += s.dim(a);
    }
    return first.with(a, total);
  }

  /** Checks layer/RMS norm parameters: (C) where C is the last axis of {@code x}. */
  public static void normParams(String op, Shape x, Shape gamma, Shape beta) {
    if (x.rank() == 0) {
      throw new IllegalArgumentException(op + ": input must have rank >= 1, got " + x);
    }
    Shape c = Shape.of(x.dim(-1));
    if (!gamma.equals(c)) {
      throw new IllegalArgumentException(op + ": weight " + gamma + " must be " + c + " for input " + x);
    }
    if (beta != null && !beta.equals(c)) {
      throw new IllegalArgumentException(op + ": bias " + beta + " must be " + c + " for input " + x);
    }
  }

  /** Checks a softmax mask: broadcastable to {@code x}. */
  public static void mask(String op, Shape x, Shape mask) {
    if (mask != null && !mask.broadcastsTo(x)) {
      throw new IllegalArgumentException(op + ": mask " + mask + " does not broadcast to " + x);
    }
  }

  /** Result of {@code attention}; checks q (B, nh, Tq, hs), k and v (B, nh, Tk, hs) and the mask. */
  public static Shape attention(Shape q, Shape k, Shape v, Shape mask) {
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
      throw new IllegalArgumentException(
          "attention: q, k, v must be (B, nh, T, hs), got " + q + ", " + k + ", " + v);
    }
    if (!k.equals(v)
        || q.dim(0) != k.dim(0)
        || q.dim(1) != k.dim(1)
        || q.dim(3) != k.dim(3)) {
      throw new IllegalArgumentException(
          "attention: q " + q + ", k " + k + " and v " + v
              + " disagree (expected q (B, nh, Tq, hs) and k = v (B, nh, Tk, hs))");
    }
    if (mask != null) {
      mask("attention", Shape.of(q.dim(0), q.dim(1), q.dim(2), k.dim(2)), mask);
    }
    return q;
  }

  /**
   * Result of {@code recurrent_step}, the new state: (B, H), or (B, 2H) holding {@code [h', c']}
   * for the LSTM. Checks gx (B, G·H), h (B, H), c (B, H) for the LSTM and null otherwise, W_hh
   * (G·H, H) and b_hh (G·H) or null.
   */
  public static Shape recurrentStep(
      RecurrentCell cell, Shape gx, Shape h, Shape c, Shape whh, Shape bhh) {
    String op = "recurrent_step " + cell;
    if (h.rank() != 2) {
      throw new IllegalArgumentException(op + ": hidden state h must be (B, H), got " + h);
    }
    int b = h.dim(0);
    int hs = h.dim(1);
    int g = cell.gates() * hs;
    if (!gx.equals(Shape.of(b, g))) {
      throw new IllegalArgumentException(
          op + ": input projection gx must be (B, G·H) = " + Shape.of(b, g) + " for h " + h + ", got " + gx);
    }
    if (!whh.equals(Shape.of(g, hs))) {
      throw new IllegalArgumentException(
          op + ": W_hh must be (G·H, H) = " + Shape.of(g, hs) + " for h " + h + ", got " + whh);
    }
    if (bhh != null && !bhh.equals(Shape.of(g))) {
      throw new IllegalArgumentException(op + ": b_hh must be (G·H) = " + Shape.of(g) + ", got " + bhh);
    }
    if (cell.hasCell() != (c != null)) {
      throw new IllegalArgumentException(
          op + (cell.hasCell() ? ": the cell state c is missing" : ": takes no cell state c, got " + c));
    }
    if (c != null && !c.equals(h)) {
      throw new IllegalArgumentException(op + ": cell state c " + c + " must match h " + h);
    }
    return Shape.of(b, cell.hasCell() ? 2 * hs : hs);
  }

  /**
   * Result of {@code recurrent_sequence}, every step's state: (T, B, H), or (T, B, 2H) for the
   * LSTM. Checks gx (T, B, G·H) with T ≥ 1, h0 (B, H), c0 (B, H) for the LSTM and null otherwise,
   * W_hh (G·H, H) and b_hh (G·H) or null.
   */
  public static Shape recurrentSequence(
      RecurrentCell cell, Shape gx, Shape h0, Shape c0, Shape whh, Shape bhh) {
    String op = "recurrent_sequence " + cell;
    if (gx.rank() != 3 || gx.dim(0) == 0) {
      throw new IllegalArgumentException(
          op + ": input projections gx must be (T, B, G·H) with T ≥ 1, got " + gx);
    }
    Shape state = recurrentStep(cell, Shape.of(gx.dim(1), gx.dim(2)), h0, c0, whh, bhh);
    return Shape.of(gx.dim(0), state.dim(0), state.dim(1));
  }
}
