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

  /**
   * Forward gates for {@code b} rows of width {@code hs}, rows contiguous from offset 0 (the step
   * op's layout). {@code buf} holds the hidden projection {@code h·W_hhᵀ + b_hh} with row stride
   * {@code ldBuf} (G·H, or 4H for the GRU, whose fourth block is free) and receives the saved
   * activations (LSTM i, f, g, o; GRU r, z, n, W_hn·h + b_hn) or, for the RNN, the new state itself.
   * {@code state} (B, 2H) receives {@code [h', c']} for the LSTM and (B, H) h' for the GRU; null for
   * the RNN.
   */
  public static void forward(
      RecurrentCell cell, int b, int hs, float[] gx, float[] h, float[] c, float[] buf, int ldBuf,
      float[] state) {
    forward(cell, b, hs, gx, 0, h, 0, hs, c, 0, hs, buf, 0, ldBuf, state, 0);
  }

  /**
   * {@link #forward(RecurrentCell, int, int, float[], float[], float[], float[], int, float[])} on
   * {@code b} rows placed anywhere: gx rows (G·H wide) contiguous from {@code gxOff}; h and c rows
   * from {@code hOff} / {@code cOff} with strides {@code hLd} / {@code cLd} (the previous step's
   * {@code [h, c]} rows of a sequence's states); buf rows from {@code bufOff} with stride {@code
   * ldBuf}; state rows contiguous from {@code stateOff}.
   */
  public static void forward(
      RecurrentCell cell, int b, int hs, float[] gx, int gxOff, float[] h, int hOff, int hLd,
      float[] c, int cOff, int cLd, float[] buf, int bufOff, int ldBuf, float[] state,
      int stateOff) {
    switch (cell) {
      case RNN_TANH, RNN_RELU -> forwardRnn(cell, b, hs, gx, gxOff, buf, bufOff, ldBuf);
      case LSTM -> forwardLstm(b, hs, gx, gxOff, c, cOff, cLd, buf, bufOff, ldBuf, state, stateOff);
      case GRU -> forwardGru(b, hs, gx, gxOff, h, hOff, hLd, buf, bufOff, ldBuf, state, stateOff);
      default -> throw new IllegalArgumentException("recurrent_step: unknown cell " + cell);
    }
  }

  private static void forwardRnn(
      RecurrentCell cell, int b, int hs, float[] gx, int gxOff, float[] buf, int bufOff,
      int ldBuf) {
    for (int r = 0; r < b; r++) {
      int b0 = bufOff + r * ldBuf;
      addInto(buf, b0, gx, gxOff + r * hs, hs);
      if (cell == RecurrentCell.RNN_TANH) {
        tanhInPlace(buf, b0, b0 + hs);
      } else {
        reluInPlace(buf, b0, b0 + hs);
      }
    }
  }

  private static void forwardLstm(
      int b, int hs, float[] gx, int gxOff, float[] c, int cOff, int cLd, float[] buf,
      int bufOff, int ldBuf, float[] state, int stateOff) {
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int b0 = bufOff + r * ldBuf;
      int s0 = stateOff + r * 2 * hs;
      int c0 = cOff + r * cLd;
      addInto(buf, b0, gx, gxOff + r * 4 * hs, 4 * hs);
      sigmoidInPlace(buf, b0, b0 + 2 * hs); // i, f
      tanhInPlace(buf, b0 + 2 * hs, b0 + 3 * hs); // g
      sigmoidInPlace(buf, b0 + 3 * hs, b0 + 4 * hs); // o
      // c' = f·c + i·g, kept in both halves of the state row; the first half becomes tanh(c')
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector i = FloatVector.fromArray(S, buf, b0 + j);
        FloatVector f = FloatVector.fromArray(S, buf, b0 + hs + j);
        FloatVector gg = FloatVector.fromArray(S, buf, b0 + 2 * hs + j);
        FloatVector c2 = f.mul(FloatVector.fromArray(S, c, c0 + j)).add(i.mul(gg));
        c2.intoArray(state, s0 + j);
        c2.intoArray(state, s0 + hs + j);
      }
      for (; j < hs; j++) {
        float c2 = buf[b0 + hs + j] * c[c0 + j] + buf[b0 + j] * buf[b0 + 2 * hs + j];
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
      int b, int hs, float[] gx, int gxOff, float[] h, int hOff, int hLd, float[] buf,
      int bufOff, int ldBuf, float[] state, int stateOff) {
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int b0 = bufOff + r * ldBuf;
      int x0 = gxOff + r * 3 * hs;
      int s0 = stateOff + r * hs;
      int h0 = hOff + r * hLd;
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
            .mul(FloatVector.fromArray(S, h, h0 + j).sub(n))
            .add(n)
            .intoArray(state, s0 + j);
      }
      for (; j < hs; j++) {
        float n = buf[b0 + 2 * hs + j];
        state[s0 + j] = n + buf[b0 + hs + j] * (h[h0 + j] - n);
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

  // Each nonlinearity is its own loop using only lanewise multiply, add, divide, min and max: no
  // exponential. With VMath.exp (a compare mask, an integer shift and two reinterpretations) C2
  // sometimes failed to constant-fold the species inside those templates once the gate loops were
  // compiled into a larger unit ("missing constant" in -XX:+PrintIntrinsics), and every vector of
  // the step was then boxed: 0.4 MB of garbage and about 20× the time per LSTM step at B 32, H
  // 256. tanh is a rational function instead, σ(x) = (1 + tanh(x/2))/2.

  // tanh(x) ≈ x·P(x²)/Q(x²) on |x| ≤ 9 (beyond it tanh rounds to ±1 in float), fitted by
  // bench/rnn_tanh_fit.py (iteratively reweighted least squares on the linearized error, 80,000
  // points): within 6e-9 of tanh in double, 3.5e-7 evaluated in float (RecurrentKernelsTest).
  private static final float TANH_CLAMP = 9f;
  private static final float P0 = 0.9999999403953552f;
  private static final float P1 = 0.1307913362979889f;
  private static final float P2 = 0.0030986208003014326f;
  private static final float P3 = 1.1101466952823102e-05f;
  private static final float P4 = -2.0028085856438338e-08f;
  private static final float P5 = 5.19197636272839e-11f;
  private static final float P6 = -8.289480484414274e-14f;
  private static final float Q1 = 0.46412453055381775f;
  private static final float Q2 = 0.024473628029227257f;
  private static final float Q3 = 0.00025385519256815314f;

  /** The scalar form of the rational tanh the vector loops use (their tails, and the tests). */
  static float tanh(float x) {
    float xc = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, x));
    float s = xc * xc;
    float p = ((((((P6 * s + P5) * s + P4) * s + P3) * s + P2) * s + P1) * s + P0) * xc;
    float q = ((Q3 * s + Q2) * s + Q1) * s + 1f;
    return Math.max(-1f, Math.min(1f, p / q));
  }

  /** σ(x) = (1 + tanh(x/2))/2 with the rational tanh. */
  static float sigmoid(float x) {
    return 0.5f + 0.5f * tanh(0.5f * x);
  }

  /** σ over {@code a[from, to)}. */
  private static void sigmoidInPlace(float[] a, int from, int to) {
    int bound = from + S.loopBound(to - from);
    int j = from;
    for (; j < bound; j += VL) {
      FloatVector x = FloatVector.fromArray(S, a, j).mul(0.5f).min(TANH_CLAMP).max(-TANH_CLAMP);
      FloatVector s = x.mul(x);
      FloatVector p = s.mul(P6).add(P5).mul(s).add(P4).mul(s).add(P3).mul(s).add(P2).mul(s)
          .add(P1).mul(s).add(P0).mul(x);
      FloatVector q = s.mul(Q3).add(Q2).mul(s).add(Q1).mul(s).add(1f);
      p.div(q).min(1f).max(-1f).mul(0.5f).add(0.5f).intoArray(a, j);
    }
    for (; j < to; j++) {
      a[j] = sigmoid(a[j]);
    }
  }

  /** tanh over {@code a[from, to)}. */
  private static void tanhInPlace(float[] a, int from, int to) {
    int bound = from + S.loopBound(to - from);
    int j = from;
    for (; j < bound; j += VL) {
      FloatVector x = FloatVector.fromArray(S, a, j).min(TANH_CLAMP).max(-TANH_CLAMP);
      FloatVector s = x.mul(x);
      FloatVector p = s.mul(P6).add(P5).mul(s).add(P4).mul(s).add(P3).mul(s).add(P2).mul(s)
          .add(P1).mul(s).add(P0).mul(x);
      FloatVector q = s.mul(Q3).add(Q2).mul(s).add(Q1).mul(s).add(1f);
      p.div(q).min(1f).max(-1f).intoArray(a, j);
    }
    for (; j < to; j++) {
      a[j] = tanh(a[j]);
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
   * LSTM. {@code saved} and {@code state} are the forward's. Rows contiguous from offset 0.
   */
  public static void backward(
      RecurrentCell cell, int b, int hs, float[] h, float[] c, float[] state, float[] saved,
      float[] dState, float[] dgx, float[] dgh, float[] dh, float[] dc) {
    backward(cell, b, hs, h, 0, hs, c, 0, hs, state, 0, saved, 0, dState, 0, dgx, 0, dgh, 0,
        null, 0, dh, 0, dc, 0);
  }

  /**
   * {@link #backward(RecurrentCell, int, int, float[], float[], float[], float[], float[],
   * float[], float[], float[], float[])} on rows placed anywhere: h and c (the step's inputs) from
   * {@code hOff} / {@code cOff} with strides {@code hLd} / {@code cLd}; every other array's rows
   * contiguous from its offset. {@code dghN}, when not null (GRU), also receives the n block of
   * {@code dgh} in rows of width H (a sequence keeps it for its one W_hh gradient product).
   */
  public static void backward(
      RecurrentCell cell, int b, int hs, float[] h, int hOff, int hLd, float[] c, int cOff,
      int cLd, float[] state, int stateOff, float[] saved, int savedOff, float[] dState,
      int dStateOff, float[] dgx, int dgxOff, float[] dgh, int dghOff, float[] dghN, int dghNOff,
      float[] dh, int dhOff, float[] dc, int dcOff) {
    switch (cell) {
      case RNN_TANH, RNN_RELU -> backwardRnn(cell, b, hs, state, stateOff, dState, dStateOff, dgx, dgxOff);
      case LSTM -> backwardLstm(b, hs, c, cOff, cLd, state, stateOff, saved, savedOff, dState,
          dStateOff, dgx, dgxOff, dc, dcOff);
      case GRU -> backwardGru(b, hs, h, hOff, hLd, saved, savedOff, dState, dStateOff, dgx, dgxOff,
          dgh, dghOff, dghN, dghNOff, dh, dhOff);
      default -> throw new IllegalArgumentException("recurrent_step: unknown cell " + cell);
    }
  }

  private static void backwardRnn(
      RecurrentCell cell, int b, int hs, float[] state, int stateOff, float[] dState,
      int dStateOff, float[] dgx, int dgxOff) {
    // Two methods, so that tanh's loop is compiled without ReLU's compare and blend.
    if (cell == RecurrentCell.RNN_TANH) {
      backwardTanh(b, hs, state, stateOff, dState, dStateOff, dgx, dgxOff);
    } else {
      backwardRelu(b, hs, state, stateOff, dState, dStateOff, dgx, dgxOff);
    }
  }

  /** tanh' = 1 − h'². */
  private static void backwardTanh(
      int b, int hs, float[] state, int stateOff, float[] dState, int dStateOff, float[] dgx,
      int dgxOff) {
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int x0 = dgxOff + r * hs;
      int s0 = stateOff + r * hs;
      int d0 = dStateOff + r * hs;
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector y = FloatVector.fromArray(S, state, s0 + j);
        FloatVector.fromArray(S, dState, d0 + j).mul(y.mul(y).neg().add(1f)).intoArray(dgx, x0 + j);
      }
      for (; j < hs; j++) {
        float y = state[s0 + j];
        dgx[x0 + j] = dState[d0 + j] * (1 - y * y);
      }
    }
  }

  /** h' > 0 exactly where the pre-activation was, so relu'(pre) = relu'(h'). */
  private static void backwardRelu(
      int b, int hs, float[] state, int stateOff, float[] dState, int dStateOff, float[] dgx,
      int dgxOff) {
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int x0 = dgxOff + r * hs;
      int s0 = stateOff + r * hs;
      int d0 = dStateOff + r * hs;
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector y = FloatVector.fromArray(S, state, s0 + j);
        FloatVector.fromArray(S, dState, d0 + j).blend(0f, y.compare(VectorOperators.LE, 0f))
            .intoArray(dgx, x0 + j);
      }
      for (; j < hs; j++) {
        dgx[x0 + j] = state[s0 + j] > 0 ? dState[d0 + j] : 0f;
      }
    }
  }

  // Two passes per row, each its own method and compilation unit (see exec.JitDirectives): the
  // single loop with all five outputs was one unit too many vector operations long, and in the
  // AVX2 test JVM, after QuantizedGemmTest, C2 compiled it with its vectors boxed (36 KB per step).
  private static void backwardLstm(
      int b, int hs, float[] c, int cOff, int cLd, float[] state, int stateOff, float[] saved,
      int savedOff, float[] dState, int dStateOff, float[] dgx, int dgxOff, float[] dc,
      int dcOff) {
    for (int r = 0; r < b; r++) {
      int x0 = dgxOff + r * 4 * hs;
      int d0 = dStateOff + r * 2 * hs;
      int a0 = savedOff + r * 4 * hs;
      int k0 = dcOff + r * hs;
      System.arraycopy(state, stateOff + r * 2 * hs + hs, dc, k0, hs);
      tanhInPlace(dc, k0, k0 + hs);
      backwardLstmOut(hs, saved, a0, dState, d0, dgx, x0, dc, k0);
      backwardLstmCell(hs, c, cOff + r * cLd, saved, a0, dgx, x0, dc, k0);
    }
  }

  /**
   * One row: the o gate's gradient {@code d·tanh(c')·o(1 − o)}, and the gradient reaching c',
   * {@code dc' = dState_c + d·o·(1 − tanh²(c'))}, written over tanh(c') in {@code dc}.
   */
  private static void backwardLstmOut(
      int hs, float[] saved, int a0, float[] dState, int d0, float[] dgx, int x0, float[] dc,
      int k0) {
    int bound = S.loopBound(hs);
    int j = 0;
    for (; j < bound; j += VL) {
      FloatVector o = FloatVector.fromArray(S, saved, a0 + 3 * hs + j);
      FloatVector tc = FloatVector.fromArray(S, dc, k0 + j); // tanh(c')
      FloatVector d = FloatVector.fromArray(S, dState, d0 + j);
      d.mul(tc).mul(o.mul(o.neg().add(1f))).intoArray(dgx, x0 + 3 * hs + j);
      FloatVector.fromArray(S, dState, d0 + hs + j)
          .add(d.mul(o).mul(tc.mul(tc).neg().add(1f)))
          .intoArray(dc, k0 + j);
    }
    for (; j < hs; j++) {
      float o = saved[a0 + 3 * hs + j];
      float tc = dc[k0 + j];
      float d = dState[d0 + j];
      dgx[x0 + 3 * hs + j] = d * tc * o * (1 - o);
      dc[k0 + j] = dState[d0 + hs + j] + d * o * (1 - tc * tc);
    }
  }

  /** One row: the i, f and g gates' gradients from dc' (in {@code dc}), then dc = dc'·f. */
  private static void backwardLstmCell(
      int hs, float[] c, int c0, float[] saved, int a0, float[] dgx, int x0, float[] dc, int k0) {
    int bound = S.loopBound(hs);
    int j = 0;
    for (; j < bound; j += VL) {
      FloatVector i = FloatVector.fromArray(S, saved, a0 + j);
      FloatVector f = FloatVector.fromArray(S, saved, a0 + hs + j);
      FloatVector gg = FloatVector.fromArray(S, saved, a0 + 2 * hs + j);
      FloatVector dct = FloatVector.fromArray(S, dc, k0 + j);
      dct.mul(gg).mul(i.mul(i.neg().add(1f))).intoArray(dgx, x0 + j);
      dct.mul(FloatVector.fromArray(S, c, c0 + j)).mul(f.mul(f.neg().add(1f)))
          .intoArray(dgx, x0 + hs + j);
      dct.mul(i).mul(gg.mul(gg).neg().add(1f)).intoArray(dgx, x0 + 2 * hs + j);
      dct.mul(f).intoArray(dc, k0 + j);
    }
    for (; j < hs; j++) {
      float i = saved[a0 + j];
      float f = saved[a0 + hs + j];
      float gg = saved[a0 + 2 * hs + j];
      float dct = dc[k0 + j];
      dgx[x0 + j] = dct * gg * i * (1 - i);
      dgx[x0 + hs + j] = dct * c[c0 + j] * f * (1 - f);
      dgx[x0 + 2 * hs + j] = dct * i * (1 - gg * gg);
      dc[k0 + j] = dct * f;
    }
  }

  private static void backwardGru(
      int b, int hs, float[] h, int hOff, int hLd, float[] saved, int savedOff, float[] dState,
      int dStateOff, float[] dgx, int dgxOff, float[] dgh, int dghOff, float[] dghN, int dghNOff,
      float[] dh, int dhOff) {
    int g = 3 * hs;
    int bound = S.loopBound(hs);
    for (int r = 0; r < b; r++) {
      int x0 = dgxOff + r * g;
      int y0 = dghOff + r * g;
      int s0 = dStateOff + r * hs;
      int h0 = hOff + r * hLd;
      int a0 = savedOff + r * 4 * hs;
      int o0 = dhOff + r * hs;
      int n0 = dghNOff + r * hs;
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector rr = FloatVector.fromArray(S, saved, a0 + j);
        FloatVector z = FloatVector.fromArray(S, saved, a0 + hs + j);
        FloatVector n = FloatVector.fromArray(S, saved, a0 + 2 * hs + j);
        FloatVector ghn = FloatVector.fromArray(S, saved, a0 + 3 * hs + j);
        FloatVector d = FloatVector.fromArray(S, dState, s0 + j);
        FloatVector hv = FloatVector.fromArray(S, h, h0 + j);
        FloatVector dn = d.mul(z.neg().add(1f)).mul(n.mul(n).neg().add(1f));
        FloatVector dz = d.mul(hv.sub(n)).mul(z.mul(z.neg().add(1f)));
        FloatVector dr = dn.mul(ghn).mul(rr.mul(rr.neg().add(1f)));
        FloatVector dnr = dn.mul(rr);
        dr.intoArray(dgx, x0 + j);
        dz.intoArray(dgx, x0 + hs + j);
        dn.intoArray(dgx, x0 + 2 * hs + j);
        dr.intoArray(dgh, y0 + j);
        dz.intoArray(dgh, y0 + hs + j);
        dnr.intoArray(dgh, y0 + 2 * hs + j);
        if (dghN != null) {
          dnr.intoArray(dghN, n0 + j);
        }
        d.mul(z).intoArray(dh, o0 + j);
      }
      for (; j < hs; j++) {
        float rr = saved[a0 + j];
        float z = saved[a0 + hs + j];
        float n = saved[a0 + 2 * hs + j];
        float ghn = saved[a0 + 3 * hs + j];
        float d = dState[s0 + j];
        float dn = d * (1 - z) * (1 - n * n);
        float dz = d * (h[h0 + j] - n) * z * (1 - z);
        float dr = dn * ghn * rr * (1 - rr);
        dgx[x0 + j] = dr;
        dgx[x0 + hs + j] = dz;
        dgx[x0 + 2 * hs + j] = dn;
        dgh[y0 + j] = dr;
        dgh[y0 + hs + j] = dz;
        dgh[y0 + 2 * hs + j] = dn * rr;
        if (dghN != null) {
          dghN[n0 + j] = dn * rr;
        }
        dh[o0 + j] = d * z;
      }
    }
  }

  /**
   * {@code out[o, o + n) = a[ao, ao + n) + x[xo, xo + n)} (+ {@code y[yo, yo + n)} when {@code y}
   * is not null): the gradient reaching a step's state, its output's plus what the next step sent
   * back.
   */
  public static void sum(
      float[] a, int ao, float[] x, int xo, float[] y, int yo, float[] out, int o, int n) {
    int bound = S.loopBound(n);
    int j = 0;
    if (y == null) {
      for (; j < bound; j += VL) {
        FloatVector.fromArray(S, a, ao + j).add(FloatVector.fromArray(S, x, xo + j)).intoArray(out, o + j);
      }
      for (; j < n; j++) {
        out[o + j] = a[ao + j] + x[xo + j];
      }
    } else {
      for (; j < bound; j += VL) {
        FloatVector.fromArray(S, a, ao + j).add(FloatVector.fromArray(S, x, xo + j))
            .add(FloatVector.fromArray(S, y, yo + j)).intoArray(out, o + j);
      }
      for (; j < n; j++) {
        out[o + j] = a[ao + j] + x[xo + j] + y[yo + j];
      }
    }
  }

  /**
   * Column sums of {@code rows} rows of width {@code n} (stride {@code ld}, from {@code off}),
   * added into {@code out[outOff, outOff + n)}.
   */
  public static void addColumnSums(
      float[] x, int off, int rows, int n, int ld, float[] out, int outOff) {
    int bound = S.loopBound(n);
    for (int r = 0; r < rows; r++) {
      int o = off + r * ld;
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector.fromArray(S, out, outOff + j).add(FloatVector.fromArray(S, x, o + j))
            .intoArray(out, outOff + j);
      }
      for (; j < n; j++) {
        out[outOff + j] += x[o + j];
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
