package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.api.RecurrentCell;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gate passes of the fused recurrent step: after the hidden projection (the SGEMM), one
 * vectorized pass over each row computes every gate, its nonlinearity and the new state, writing
 * the gate activations over the projection in place; the backward pass turns the state's gradient
 * into the gates' pre-activation gradients. Layouts as in {@code ComputeBackend.recurrentStep}.
 */
public final class Recurrent {
  private static final VectorSpecies<Float> S = VMath.S;
  private static final int VL = VMath.VL;

  private Recurrent() {}

  private static float sig(float x) {
    return (float) (1 / (1 + Math.exp(-x)));
  }

  /**
   * Forward gates for {@code b} rows of width {@code hs}. {@code buf} holds the hidden projection
   * {@code h·W_hhᵀ + b_hh} with row stride {@code ldBuf} (G·H, or 4H for the GRU, whose fourth
   * block is free) and receives the saved activations (LSTM i, f, g, o; GRU r, z, n, W_hn·h + b_hn)
   * or, for the RNN, the new state itself. {@code state} (B, 2H) receives {@code [h', c']} for the
   * LSTM and (B, H) h' for the GRU; null for the RNN.
   */
  public static void forward(
      RecurrentCell cell, int b, int hs, float[] gx, float[] h, float[] c, float[] buf, int ldBuf,
      float[] state) {
    switch (cell) {
      case RNN_TANH, RNN_RELU -> forwardRnn(cell, b, hs, gx, h, c, buf, ldBuf, state);
      case LSTM -> forwardLstm(cell, b, hs, gx, h, c, buf, ldBuf, state);
      case GRU -> forwardGru(cell, b, hs, gx, h, c, buf, ldBuf, state);
      default -> throw new IllegalArgumentException("recurrent_step: unknown cell " + cell);
    }
  }

  private static void forwardRnn(
      RecurrentCell cell, int b, int hs, float[] gx, float[] h, float[] c, float[] buf, int ldBuf,
      float[] state) {
    for (int r = 0; r < b; r++) {
      int b0 = r * ldBuf;
      addInto(buf, b0, gx, r * hs, hs);
      if (cell == RecurrentCell.RNN_TANH) {
        tanhInPlace(buf, b0, b0 + hs);
      } else {
        reluInPlace(buf, b0, b0 + hs);
      }
    }
  }

  private static void forwardLstm(
      RecurrentCell cell, int b, int hs, float[] gx, float[] h, float[] c, float[] buf, int ldBuf,
      float[] state) {
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int b0 = r * ldBuf;
      int s0 = r * 2 * hs;
      addInto(buf, b0, gx, r * 4 * hs, 4 * hs);
      sigmoidInPlace(buf, b0, b0 + 2 * hs); // i, f
      tanhInPlace(buf, b0 + 2 * hs, b0 + 3 * hs); // g
      sigmoidInPlace(buf, b0 + 3 * hs, b0 + 4 * hs); // o
      // c' = f·c + i·g, kept in both halves of the state row; the first half becomes tanh(c')
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector i = FloatVector.fromArray(S, buf, b0 + j);
        FloatVector f = FloatVector.fromArray(S, buf, b0 + hs + j);
        FloatVector gg = FloatVector.fromArray(S, buf, b0 + 2 * hs + j);
        FloatVector c2 = f.mul(FloatVector.fromArray(S, c, r * hs + j)).add(i.mul(gg));
        c2.intoArray(state, s0 + j);
        c2.intoArray(state, s0 + hs + j);
      }
      for (; j < hs; j++) {
        float c2 = buf[b0 + hs + j] * c[r * hs + j] + buf[b0 + j] * buf[b0 + 2 * hs + j];
        state[s0 + j] = c2;
        state[s0 + hs + j] = c2;
      }
      tanhInPlace(state, s0, s0 + hs);
      // h' = o·tanh(c')
      j = 0;
      for (; j < bound; j += VL) {
        FloatVector.fromArray(S, state, s0 + j)
            .mul(FloatVector.fromArray(S, buf, b0 + 3 * hs + j))
            .intoArray(state, s0 + j);
      }
      for (; j < hs; j++) {
        state[s0 + j] *= buf[b0 + 3 * hs + j];
      }
    }
  }

  private static void forwardGru(
      RecurrentCell cell, int b, int hs, float[] gx, float[] h, float[] c, float[] buf, int ldBuf,
      float[] state) {
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int b0 = r * ldBuf;
      int x0 = r * 3 * hs;
      int s0 = r * hs;
      addInto(buf, b0, gx, x0, 2 * hs);
      sigmoidInPlace(buf, b0, b0 + 2 * hs); // r, z
      // keep W_hn·h + b_hn in the fourth block; the third gets x_n + r·(W_hn·h + b_hn), then n
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector ghn = FloatVector.fromArray(S, buf, b0 + 2 * hs + j);
        ghn.intoArray(buf, b0 + 3 * hs + j);
        FloatVector.fromArray(S, buf, b0 + j)
            .mul(ghn)
            .add(FloatVector.fromArray(S, gx, x0 + 2 * hs + j))
            .intoArray(buf, b0 + 2 * hs + j);
      }
      for (; j < hs; j++) {
        float ghn = buf[b0 + 2 * hs + j];
        buf[b0 + 3 * hs + j] = ghn;
        buf[b0 + 2 * hs + j] = gx[x0 + 2 * hs + j] + buf[b0 + j] * ghn;
      }
      tanhInPlace(buf, b0 + 2 * hs, b0 + 3 * hs); // n
      // h' = n + z·(h − n)
      j = 0;
      for (; j < bound; j += VL) {
        FloatVector n = FloatVector.fromArray(S, buf, b0 + 2 * hs + j);
        FloatVector.fromArray(S, buf, b0 + hs + j)
            .mul(FloatVector.fromArray(S, h, s0 + j).sub(n))
            .add(n)
            .intoArray(state, s0 + j);
      }
      for (; j < hs; j++) {
        float n = buf[b0 + 2 * hs + j];
        state[s0 + j] = n + buf[b0 + hs + j] * (h[s0 + j] - n);
      }
    }
  }

  /** {@code a[ao, ao + n) += x[xo, xo + n)}. */
  private static void addInto(float[] a, int ao, float[] x, int xo, int n) {
    int bound = S.loopBound(n);
    int j = 0;
    for (; j < bound; j += VL) {
      FloatVector.fromArray(S, a, ao + j).add(FloatVector.fromArray(S, x, xo + j)).intoArray(a, ao + j);
    }
    for (; j < n; j++) {
      a[ao + j] += x[xo + j];
    }
  }

  // Each nonlinearity is its own loop with the exponential called straight from it, so C2 inlines
  // it and the vectors stay in registers (helpers returning a FloatVector into one big gate loop
  // were not inlined and boxed every vector: 640 kB of garbage per LSTM step at B 32, H 256).

  /** σ over {@code a[from, to)}: 1/(1 + e^(−x)). */
  private static void sigmoidInPlace(float[] a, int from, int to) {
    int bound = from + S.loopBound(to - from);
    int j = from;
    for (; j < bound; j += VL) {
      FloatVector x = FloatVector.fromArray(S, a, j);
      FloatVector.broadcast(S, 1f).div(VMath.exp(x.neg()).add(1f)).intoArray(a, j);
    }
    for (; j < to; j++) {
      a[j] = sig(a[j]);
    }
  }

  /** tanh over {@code a[from, to)} as 2σ(2x) − 1 (absolute error a few 1e-8 near 0). */
  private static void tanhInPlace(float[] a, int from, int to) {
    int bound = from + S.loopBound(to - from);
    int j = from;
    for (; j < bound; j += VL) {
      FloatVector x = FloatVector.fromArray(S, a, j);
      FloatVector.broadcast(S, 2f).div(VMath.exp(x.mul(-2f)).add(1f)).sub(1f).intoArray(a, j);
    }
    for (; j < to; j++) {
      a[j] = (float) Math.tanh(a[j]);
    }
  }

  private static void reluInPlace(float[] a, int from, int to) {
    int bound = from + S.loopBound(to - from);
    int j = from;
    for (; j < bound; j += VL) {
      FloatVector.fromArray(S, a, j).max(0f).intoArray(a, j);
    }
    for (; j < to; j++) {
      a[j] = Math.max(0f, a[j]);
    }
  }

  /**
   * Backward gates: from {@code dState} (the state's shape) fills {@code dgx} (B, G·H), the
   * pre-activation gradients; {@code dgh} (B, G·H), the hidden projection's gradient, which for
   * the GRU differs in its n block (times r) and is {@code dgx} itself otherwise; {@code dh} (B, H)
   * the direct part of h's gradient (GRU: dh'·z; left zero otherwise); {@code dc} (B, H) for the
   * LSTM. {@code saved} and {@code state} are the forward's.
   */
  public static void backward(
      RecurrentCell cell, int b, int hs, float[] h, float[] c, float[] state, float[] saved,
      float[] dState, float[] dgx, float[] dgh, float[] dh, float[] dc) {
    switch (cell) {
      case RNN_TANH, RNN_RELU -> backwardRnn(cell, b, hs, h, c, state, saved, dState, dgx, dgh, dh, dc);
      case LSTM -> backwardLstm(cell, b, hs, h, c, state, saved, dState, dgx, dgh, dh, dc);
      case GRU -> backwardGru(cell, b, hs, h, c, state, saved, dState, dgx, dgh, dh, dc);
      default -> throw new IllegalArgumentException("recurrent_step: unknown cell " + cell);
    }
  }

  private static void backwardRnn(
      RecurrentCell cell, int b, int hs, float[] h, float[] c, float[] state, float[] saved,
      float[] dState, float[] dgx, float[] dgh, float[] dh, float[] dc) {
    int g = cell.gates() * hs;
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int x0 = r * g;
      boolean tanh = cell == RecurrentCell.RNN_TANH;
      int s0 = r * hs;
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector y = FloatVector.fromArray(S, state, s0 + j);
        FloatVector d = FloatVector.fromArray(S, dState, s0 + j);
        if (tanh) {
          d.mul(y.mul(y).neg().add(1f)).intoArray(dgx, x0 + j);
        } else {
          d.blend(0f, y.compare(VectorOperators.LE, 0f)).intoArray(dgx, x0 + j);
        }
      }
      for (; j < hs; j++) {
        float y = state[s0 + j];
        float d = dState[s0 + j];
        dgx[x0 + j] = tanh ? d * (1 - y * y) : (y > 0 ? d : 0f);
      }
        }
  }

  private static void backwardLstm(
      RecurrentCell cell, int b, int hs, float[] h, float[] c, float[] state, float[] saved,
      float[] dState, float[] dgx, float[] dgh, float[] dh, float[] dc) {
    int g = cell.gates() * hs;
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int x0 = r * g;
      int s0 = r * 2 * hs;
      int a0 = r * 4 * hs;
      System.arraycopy(state, s0 + hs, dc, r * hs, hs);
      tanhInPlace(dc, r * hs, (r + 1) * hs);
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector i = FloatVector.fromArray(S, saved, a0 + j);
        FloatVector f = FloatVector.fromArray(S, saved, a0 + hs + j);
        FloatVector gg = FloatVector.fromArray(S, saved, a0 + 2 * hs + j);
        FloatVector o = FloatVector.fromArray(S, saved, a0 + 3 * hs + j);
        FloatVector tc = FloatVector.fromArray(S, dc, r * hs + j); // tanh(c')
        FloatVector d = FloatVector.fromArray(S, dState, s0 + j);
        FloatVector dct = FloatVector.fromArray(S, dState, s0 + hs + j)
            .add(d.mul(o).mul(tc.mul(tc).neg().add(1f)));
        dct.mul(gg).mul(i.mul(i.neg().add(1f))).intoArray(dgx, x0 + j);
        dct.mul(FloatVector.fromArray(S, c, r * hs + j)).mul(f.mul(f.neg().add(1f)))
            .intoArray(dgx, x0 + hs + j);
        dct.mul(i).mul(gg.mul(gg).neg().add(1f)).intoArray(dgx, x0 + 2 * hs + j);
        d.mul(tc).mul(o.mul(o.neg().add(1f))).intoArray(dgx, x0 + 3 * hs + j);
        dct.mul(f).intoArray(dc, r * hs + j);
      }
      for (; j < hs; j++) {
        float i = saved[a0 + j];
        float f = saved[a0 + hs + j];
        float gg = saved[a0 + 2 * hs + j];
        float o = saved[a0 + 3 * hs + j];
        float tc = dc[r * hs + j];
        float d = dState[s0 + j];
        float dct = dState[s0 + hs + j] + d * o * (1 - tc * tc);
        dgx[x0 + j] = dct * gg * i * (1 - i);
        dgx[x0 + hs + j] = dct * c[r * hs + j] * f * (1 - f);
        dgx[x0 + 2 * hs + j] = dct * i * (1 - gg * gg);
        dgx[x0 + 3 * hs + j] = d * tc * o * (1 - o);
        dc[r * hs + j] = dct * f;
      }
        }
  }

  private static void backwardGru(
      RecurrentCell cell, int b, int hs, float[] h, float[] c, float[] state, float[] saved,
      float[] dState, float[] dgx, float[] dgh, float[] dh, float[] dc) {
    int g = cell.gates() * hs;
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int x0 = r * g;
      int s0 = r * hs;
      int a0 = r * 4 * hs;
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector rr = FloatVector.fromArray(S, saved, a0 + j);
        FloatVector z = FloatVector.fromArray(S, saved, a0 + hs + j);
        FloatVector n = FloatVector.fromArray(S, saved, a0 + 2 * hs + j);
        FloatVector ghn = FloatVector.fromArray(S, saved, a0 + 3 * hs + j);
        FloatVector d = FloatVector.fromArray(S, dState, s0 + j);
        FloatVector hv = FloatVector.fromArray(S, h, s0 + j);
        FloatVector dn = d.mul(z.neg().add(1f)).mul(n.mul(n).neg().add(1f));
        FloatVector dz = d.mul(hv.sub(n)).mul(z.mul(z.neg().add(1f)));
        FloatVector dr = dn.mul(ghn).mul(rr.mul(rr.neg().add(1f)));
        dr.intoArray(dgx, x0 + j);
        dz.intoArray(dgx, x0 + hs + j);
        dn.intoArray(dgx, x0 + 2 * hs + j);
        dr.intoArray(dgh, x0 + j);
        dz.intoArray(dgh, x0 + hs + j);
        dn.mul(rr).intoArray(dgh, x0 + 2 * hs + j);
        d.mul(z).intoArray(dh, s0 + j);
      }
      for (; j < hs; j++) {
        float rr = saved[a0 + j];
        float z = saved[a0 + hs + j];
        float n = saved[a0 + 2 * hs + j];
        float ghn = saved[a0 + 3 * hs + j];
        float d = dState[s0 + j];
        float dn = d * (1 - z) * (1 - n * n);
        float dz = d * (h[s0 + j] - n) * z * (1 - z);
        float dr = dn * ghn * rr * (1 - rr);
        dgx[x0 + j] = dr;
        dgx[x0 + hs + j] = dz;
        dgx[x0 + 2 * hs + j] = dn;
        dgh[x0 + j] = dr;
        dgh[x0 + hs + j] = dz;
        dgh[x0 + 2 * hs + j] = dn * rr;
        dh[s0 + j] = d * z;
      }
        }
  }

  /** Column sums of {@code x} (rows, n) into a new (n). */
  public static float[] columnSums(float[] x, int rows, int n) {
    float[] s = new float[n];
    int bound = S.loopBound(n);
    for (int r = 0; r < rows; r++) {
      int o = r * n;
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector.fromArray(S, s, j).add(FloatVector.fromArray(S, x, o + j)).intoArray(s, j);
      }
      for (; j < n; j++) {
        s[j] += x[o + j];
      }
    }
    return s;
  }
}
