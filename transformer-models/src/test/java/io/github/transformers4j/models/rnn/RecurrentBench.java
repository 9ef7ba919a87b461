package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.RecurrentCell;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.TestSupport;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A short harness (not a test) timing one recurrent layer's forward+backward on the cpu backend:
 * {@code java RecurrentBench [lstm|gru|rnn] [threads] [B] [T] [H] [reps]}; prints the median and
 * the best milliseconds. Loss: the sum of the outputs, gradients for the input and every weight.
 */
public final class RecurrentBench {
  private RecurrentBench() {}

  public static void main(String[] args) {
    String kind = args.length > 0 ? args[0] : "lstm";
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int b = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int t = args.length > 3 ? Integer.parseInt(args[3]) : 128;
    int h = args.length > 4 ? Integer.parseInt(args[4]) : 256;
    int reps = args.length > 5 ? Integer.parseInt(args[5]) : 15;
    try (ComputeBackend be = TestSupport.cpu(threads)) {
      Ops ops = new Ops(be);
      RecurrentConfig config = RecurrentConfig.of(h, h);
      SplittableRandom rng = new SplittableRandom(7);
      RecurrentLayer layer = switch (kind) {
        case "lstm" -> new Lstm(ops, config, rng);
        case "gru" -> new Gru(ops, config, rng);
        case "rnn" -> new Rnn(ops, config, Rnn.Nonlinearity.TANH, rng);
        default -> throw new IllegalArgumentException("kind: expected lstm, gru or rnn, got " + kind);
      };
      float[] data = new float[b * t * h];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) rng.nextGaussian();
      }
      Tensor x = ops.tensor(data, b, t, h);
      double[] ms = new double[reps];
      for (int i = 0; i < 3 + reps; i++) {
        long t0 = System.nanoTime();
        try (Tape tape = ops.record()) {
          tape.watch(x);
          layer.parameters().values().forEach(tape::watch);
          Tensor out = layer.forward(x, null, null, null).output();
          tape.backward(ops.sum(ops.reshape(out, -1), 0, false));
        }
        if (i >= 3) {
          ms[i - 3] = (System.nanoTime() - t0) / 1e6;
        }
      }
      Arrays.sort(ms);
      System.out.printf("%s B=%d T=%d H=%d threads=%d forward+backward: median %.1f ms, best %.1f ms (%s)%n",
          kind, b, t, h, threads, ms[reps / 2], ms[0], be.description());
      allocationPerStep(be, kind, b, h);
    }
  }

  /**
   * Bytes the fused step allocates per call on this thread, against the bytes of its outputs (the
   * state and the saved activations): the kernel should allocate nothing else.
   */
  private static void allocationPerStep(ComputeBackend be, String kind, int b, int h) {
    RecurrentCell cell = switch (kind) {
      case "lstm" -> RecurrentCell.LSTM;
      case "gru" -> RecurrentCell.GRU;
      default -> RecurrentCell.RNN_TANH;
    };
    int g = cell.gates() * h;
    SplittableRandom r = new SplittableRandom(3);
    Tensor gx = be.fromHost(fill(r, b * g), io.github.transformers4j.api.Shape.of(b, g));
    Tensor hh = be.fromHost(fill(r, b * h), io.github.transformers4j.api.Shape.of(b, h));
    Tensor cc = cell.hasCell() ? be.fromHost(fill(r, b * h), io.github.transformers4j.api.Shape.of(b, h)) : null;
    Tensor w = be.fromHost(fill(r, g * h), io.github.transformers4j.api.Shape.of(g, h));
    Tensor bias = be.fromHost(fill(r, g), io.github.transformers4j.api.Shape.of(g));
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long outBytes = 0;
    int n = Integer.getInteger("allocCalls", 2000);
    for (int i = 0; i < n; i++) {
      be.recurrentStep(cell, gx, hh, cc, w, bias);
    }
    long before = mx.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < n; i++) {
      Tensor[] o = be.recurrentStep(cell, gx, hh, cc, w, bias);
      if (i == 0) {
        outBytes = 4L * (o[0].size() + (o[1] == null ? 0 : o[1].size()));
      }
    }
    long per = (mx.getCurrentThreadAllocatedBytes() - before) / n;
    for (int i = 0; i < n; i++) {
      be.linear(hh, w, true, bias);
    }
    long before2 = mx.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < n; i++) {
      be.linear(hh, w, true, bias);
    }
    long lin = (mx.getCurrentThreadAllocatedBytes() - before2) / n;
    System.out.printf("%s fused step B=%d H=%d: %d bytes allocated per call, outputs %d bytes (%+d);"
        + " the linear h·W_hhᵀ + b_hh alone: %d bytes for a %d-byte result%n",
        kind, b, h, per, outBytes, per - outBytes, lin, 4L * b * g);
  }

  private static float[] fill(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }
}
