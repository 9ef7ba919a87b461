package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.api.RecurrentCell;
import jdk.incubator.vector.FloatVector;
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

  // σ(x) = 1/(1 + e^(−x)); tanh(x) = 2σ(2x) − 1 (absolute error a few 1e-8 near 0).
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
    int g = cell.gates() * hs;
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int x0 = r * g;
      int b0 = r * ldBuf;
      switch (cell) {
        case RNN_TANH, RNN_RELU -> {
          boolean tanh = cell == RecurrentCell.RNN_TANH;
          int j = 0;
          for (; j < bound; j += VL) {
            FloatVector pre = FloatVector.fromArray(S, gx, x0 + j).add(FloatVector.fromArray(S, buf, b0 + j));
            FloatVector y = tanh ? tanhV(pre) : pre.max(0f);
            y.intoArray(buf, b0 + j);
          }
          for (; j < hs; j++) {
            float pre = gx[x0 + j] + buf[b0 + j];
            buf[b0 + j] = tanh ? (float) Math.tanh(pre) : Math.max(0f, pre);
          }
        }
        case LSTM -> {
          int s0 = r * 2 * hs;
          int j = 0;
          for (; j < bound; j += VL) {
            FloatVector i = sigV(FloatVector.fromArray(S, gx, x0 + j).add(FloatVector.fromArray(S, buf, b0 + j)));
            FloatVector f = sigV(FloatVector.fromArray(S, gx, x0 + hs + j)
                .add(FloatVector.fromArray(S, buf, b0 + hs + j)));
            FloatVector gg = tanhV(FloatVector.fromArray(S, gx, x0 + 2 * hs + j)
                .add(FloatVector.fromArray(S, buf, b0 + 2 * hs + j)));
            FloatVector o = sigV(FloatVector.fromArray(S, gx, x0 + 3 * hs + j)
                .add(FloatVector.fromArray(S, buf, b0 + 3 * hs + j)));
            FloatVector c2 = f.mul(FloatVector.fromArray(S, c, r * hs + j)).add(i.mul(gg));
            i.intoArray(buf, b0 + j);
            f.intoArray(buf, b0 + hs + j);
            gg.intoArray(buf, b0 + 2 * hs + j);
            o.intoArray(buf, b0 + 3 * hs + j);
            o.mul(tanhV(c2)).intoArray(state, s0 + j);
            c2.intoArray(state, s0 + hs + j);
          }
          for (; j < hs; j++) {
            float i = sig(gx[x0 + j] + buf[b0 + j]);
            float f = sig(gx[x0 + hs + j] + buf[b0 + hs + j]);
            float gg = (float) Math.tanh(gx[x0 + 2 * hs + j] + buf[b0 + 2 * hs + j]);
            float o = sig(gx[x0 + 3 * hs + j] + buf[b0 + 3 * hs + j]);
            float c2 = f * c[r * hs + j] + i * gg;
            buf[b0 + j] = i;
            buf[b0 + hs + j] = f;
            buf[b0 + 2 * hs + j] = gg;
            buf[b0 + 3 * hs + j] = o;
            state[s0 + j] = o * (float) Math.tanh(c2);
            state[s0 + hs + j] = c2;
          }
        }
        case GRU -> {
          int s0 = r * hs;
          int j = 0;
          for (; j < bound; j += VL) {
            FloatVector rr = sigV(FloatVector.fromArray(S, gx, x0 + j).add(FloatVector.fromArray(S, buf, b0 + j)));
            FloatVector z = sigV(FloatVector.fromArray(S, gx, x0 + hs + j)
                .add(FloatVector.fromArray(S, buf, b0 + hs + j)));
            FloatVector ghn = FloatVector.fromArray(S, buf, b0 + 2 * hs + j);
            FloatVector n = tanhV(FloatVector.fromArray(S, gx, x0 + 2 * hs + j).add(rr.mul(ghn)));
            FloatVector hv = FloatVector.fromArray(S, h, s0 + j);
            rr.intoArray(buf, b0 + j);
            z.intoArray(buf, b0 + hs + j);
            n.intoArray(buf, b0 + 2 * hs + j);
            ghn.intoArray(buf, b0 + 3 * hs + j);
            z.mul(hv.sub(n)).add(n).intoArray(state, s0 + j);
          }
          for (; j < hs; j++) {
            float rr = sig(gx[x0 + j] + buf[b0 + j]);
            float z = sig(gx[x0 + hs + j] + buf[b0 + hs + j]);
            float ghn = buf[b0 + 2 * hs + j];
            float n = (float) Math.tanh(gx[x0 + 2 * hs + j] + rr * ghn);
            buf[b0 + j] = rr;
            buf[b0 + hs + j] = z;
            buf[b0 + 2 * hs + j] = n;
            buf[b0 + 3 * hs + j] = ghn;
            state[s0 + j] = n + z * (h[s0 + j] - n);
          }
        }
        default -> throw new IllegalArgumentException("recurrent_step: unknown cell " + cell);
      }
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
    int g = cell.gates() * hs;
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int x0 = r * g;
      switch (cell) {
        case RNN_TANH, RNN_RELU -> {
          boolean tanh = cell == RecurrentCell.RNN_TANH;
          int s0 = r * hs;
          int j = 0;
          for (; j < bound; j += VL) {
            FloatVector y = FloatVector.fromArray(S, state, s0 + j);
            FloatVector d = FloatVector.fromArray(S, dState, s0 + j);
            FloatVector out = tanh ? d.mul(y.mul(y).neg().add(1f)) : d.blend(0f, y.compare(
                jdk.incubator.vector.VectorOperators.LE, 0f));
            out.intoArray(dgx, x0 + j);
          }
          for (; j < hs; j++) {
            float y = state[s0 + j];
            float d = dState[s0 + j];
            dgx[x0 + j] = tanh ? d * (1 - y * y) : (y > 0 ? d : 0f);
          }
        }
        case LSTM -> {
          int s0 = r * 2 * hs;
          int a0 = r * 4 * hs;
          int j = 0;
          for (; j < bound; j += VL) {
            FloatVector i = FloatVector.fromArray(S, saved, a0 + j);
            FloatVector f = FloatVector.fromArray(S, saved, a0 + hs + j);
            FloatVector gg = FloatVector.fromArray(S, saved, a0 + 2 * hs + j);
            FloatVector o = FloatVector.fromArray(S, saved, a0 + 3 * hs + j);
            FloatVector tc = tanhV(FloatVector.fromArray(S, state, s0 + hs + j));
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
            float tc = (float) Math.tanh(state[s0 + hs + j]);
            float d = dState[s0 + j];
            float dct = dState[s0 + hs + j] + d * o * (1 - tc * tc);
            dgx[x0 + j] = dct * gg * i * (1 - i);
            dgx[x0 + hs + j] = dct * c[r * hs + j] * f * (1 - f);
            dgx[x0 + 2 * hs + j] = dct * i * (1 - gg * gg);
            dgx[x0 + 3 * hs + j] = d * tc * o * (1 - o);
            dc[r * hs + j] = dct * f;
          }
        }
        case GRU -> {
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
        default -> throw new IllegalArgumentException("recurrent_step: unknown cell " + cell);
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

  private static FloatVector sigV(FloatVector x) {
    return FloatVector.broadcast(S, 1f).div(VMath.exp(x.neg()).add(1f));
  }

  private static FloatVector tanhV(FloatVector x) {
    // 2σ(2x) − 1
    return FloatVector.broadcast(S, 2f).div(VMath.exp(x.mul(-2f)).add(1f)).sub(1f);
  }
}
