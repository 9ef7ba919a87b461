package io.github.transformers4j.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.RecurrentCell;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.cpu.CpuBackend;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The recurrent gate passes' nonlinearities against {@link Math#tanh} and the logistic function,
 * and the allocation of the fused time loop ({@code CpuBackend.recurrentSequence} and its backward):
 * nothing per step beyond the step's share of the outputs.
 */
class RecurrentKernelsTest {

  /** The float evaluation's worst error: 3.32e-7 in bench/rnn_tanh_fit.py, 3.47e-7 in Java. */
  private static final double TANH_TOL = 4e-7;

  @Test
  void rationalTanhAndSigmoidAreCloseToTheDefinitions() {
    double worstTanh = 0;
    double worstSig = 0;
    for (int i = -2_000_000; i <= 2_000_000; i++) {
      float x = i * 1e-5f * 1.2f; // [-24, 24]
      worstTanh = Math.max(worstTanh, Math.abs(Recurrent.tanh(x) - Math.tanh(x)));
      worstSig = Math.max(worstSig, Math.abs(Recurrent.sigmoid(x) - 1 / (1 + Math.exp(-x))));
    }
    assertTrue(worstTanh <= TANH_TOL, "scalar tanh: worst |error| " + worstTanh);
    assertTrue(worstSig <= TANH_TOL / 2 + 6e-8, "scalar sigmoid: worst |error| " + worstSig);
    assertTrue(Math.abs(Recurrent.tanh(Float.POSITIVE_INFINITY) - 1) == 0, "tanh(+inf) must be 1");
    assertTrue(Recurrent.tanh(0f) == 0f, "tanh(0) must be 0");
  }

  @Test
  void vectorLoopsMatchTheScalarForm() {
    // The RNN_TANH pass is tanh(buf + gx) over each row: rows of 77 cover the vector loop and its
    // tail on every vector width. The LSTM pass puts σ on its i, f, o blocks and tanh on g.
    SplittableRandom r = new SplittableRandom(41);
    int b = 3;
    int hs = 77;
    float[] x = new float[b * hs];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 24 - 12);
    }
    float[] buf = x.clone();
    Recurrent.forward(RecurrentCell.RNN_TANH, b, hs, new float[b * hs], null, null, buf, hs, null);
    for (int i = 0; i < x.length; i++) {
      double e = Math.abs(buf[i] - Math.tanh(x[i]));
      assertTrue(e <= TANH_TOL, "vector tanh(" + x[i] + "): |error| " + e);
    }
    float[] gates = new float[b * 4 * hs];
    for (int i = 0; i < gates.length; i++) {
      gates[i] = (float) (r.nextDouble() * 24 - 12);
    }
    float[] g = gates.clone();
    float[] c = new float[b * hs];
    float[] state = new float[b * 2 * hs];
    Recurrent.forward(RecurrentCell.LSTM, b, hs, new float[g.length], null, c, g, 4 * hs, state);
    for (int row = 0; row < b; row++) {
      for (int j = 0; j < 4 * hs; j++) {
        int at = row * 4 * hs + j;
        double want = j / hs == 2 ? Math.tanh(gates[at]) : 1 / (1 + Math.exp(-gates[at]));
        double e = Math.abs(g[at] - want);
        assertTrue(e <= TANH_TOL, "LSTM gate " + j / hs + " of " + gates[at] + ": |error| " + e);
      }
    }
  }

  // Runs in the module's shared test JVM, after whatever kernels the other tests compiled: before
  // JitDirectives kept each kernel a compilation unit of its own, the gate loops came out boxed
  // there (483 KB per LSTM step after QuantizedGemmTest; the Elman RNN's after the LSTM's and
  // GRU's), which is what this checks cannot happen again.
  @Test
  void theTimeLoopAllocatesNothingPerStepBeyondItsOutputs() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    SplittableRandom r = new SplittableRandom(42);
    int b = 32;
    int hs = 128;
    int shortT = 16;
    int longT = 48;
    try (CpuBackend be = new CpuBackend(1)) {
      // The Elman RNN last: it is the one that came out boxed after the LSTM's and GRU's loops.
      for (RecurrentCell cell :
          new RecurrentCell[] {RecurrentCell.LSTM, RecurrentCell.GRU, RecurrentCell.RNN_TANH}) {
        int g = cell.gates() * hs;
        int sw = cell.hasCell() ? 2 * hs : hs;
        int ld = cell.savedBlocks() == 0 ? 0 : cell.savedBlocks() * hs;
        // The step's outputs: its states and saved activations (forward), its dgx (backward);
        // the GRU also keeps its dgh's n block for the one dW_hh product at the end.
        long outputsPerStep = 4L * b * (sw + ld + g + (cell == RecurrentCell.GRU ? hs : 0));
        Tensor h0 = be.fromHost(random(r, b * hs), Shape.of(b, hs));
        Tensor c0 = cell.hasCell() ? be.fromHost(random(r, b * hs), Shape.of(b, hs)) : null;
        Tensor w = be.fromHost(random(r, g * hs), Shape.of(g, hs));
        Tensor bias = be.fromHost(random(r, g), Shape.of(g));
        Tensor[] gx = new Tensor[2];
        Tensor[] ds = new Tensor[2];
        int[] ts = {shortT, longT};
        for (int i = 0; i < 2; i++) {
          gx[i] = be.fromHost(random(r, ts[i] * b * g), Shape.of(ts[i], b, g));
          ds[i] = be.fromHost(random(r, ts[i] * b * sw), Shape.of(ts[i], b, sw));
        }
        // Windows of calls until the JIT has compiled the loops (before, every vector is an
        // object): each length's bytes per call is its least over the windows, taken once three
        // windows in a row lowered neither and at least 2 s have passed (the RNN's windows are
        // short enough to pass three while C2 still queues its compile on a loaded machine), at
        // most 20 s; per step, the difference between T = 48 and T = 16 over 32 steps (what a
        // call allocates once, the packed W_hh, cancels).
        long[] least = {Long.MAX_VALUE, Long.MAX_VALUE};
        long start = System.nanoTime();
        long deadline = start + 20_000_000_000L;
        int steady = 0;
        while ((steady < 3 || System.nanoTime() - start < 2_000_000_000L)
            && System.nanoTime() < deadline) {
          boolean lowered = false;
          for (int i = 0; i < 2; i++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int rep = 0; rep < 2; rep++) {
              Tensor[] f = be.recurrentSequence(cell, gx[i], h0, c0, w, bias, rep == 1);
              be.recurrentSequenceBackward(cell, gx[i], h0, c0, w, bias, rep == 1, f[0], f[1], ds[i]);
            }
            long bytes = (mx.getThreadAllocatedBytes(tid) - before) / 2;
            if (bytes < least[i]) {
              least[i] = bytes;
              lowered = true;
            }
          }
          steady = lowered ? 0 : steady + 1;
        }
        long perStep = (least[1] - least[0]) / (longT - shortT);
        System.out.printf("[RecurrentKernelsTest] %s B=%d H=%d: %d bytes allocated per step "
            + "(T=%d: %d bytes a call, T=%d: %d), outputs %d bytes per step%n", cell, b, hs,
            perStep, shortT, least[0], longT, least[1], outputsPerStep);
        // 256 bytes of slack: a boxed vector per row of one step would be 32 × 80 bytes or more.
        assertTrue(perStep <= outputsPerStep + 256, cell + ": " + perStep
            + " bytes allocated per step, outputs " + outputsPerStep);
      }
    }
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() - 0.5);
    }
    return a;
  }
}
