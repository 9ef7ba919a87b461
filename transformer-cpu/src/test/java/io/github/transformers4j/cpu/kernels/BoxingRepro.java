package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.api.QuantizedWeight;
import io.github.transformers4j.api.QuantizedWeight.Format;
import io.github.transformers4j.api.RecurrentCell;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.cpu.CpuBackend;
import io.github.transformers4j.cpu.exec.Parallel;
import io.github.transformers4j.cpu.gemm.QuantizedGemm;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * Reproduces the kernels' JIT-order dependence (not a test): {@code java BoxingRepro [order]}
 * runs the kernels in the order named ({@code q} quantized decode, {@code l} LSTM, {@code g} GRU,
 * {@code r} Elman RNN; default {@code qlgr}) in one JVM and prints each one's warmed-up
 * allocation: bytes per decode call, bytes per recurrent step beyond the step's outputs. A kernel
 * that C2 compiled with its vectors boxed shows up as hundreds of kilobytes.
 */
public final class BoxingRepro {
  private BoxingRepro() {}

  public static void main(String[] args) {
    String order = args.length > 0 ? args[0] : "qlgr";
    for (char k : order.toCharArray()) {
      switch (k) {
        case 'q' -> quantized();
        case 'l' -> recurrent(RecurrentCell.LSTM);
        case 'g' -> recurrent(RecurrentCell.GRU);
        case 'r' -> recurrent(RecurrentCell.RNN_TANH);
        default -> throw new IllegalArgumentException("unknown kernel letter " + k);
      }
    }
  }

  private static final com.sun.management.ThreadMXBean MX =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static long allocated() {
    return MX.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  static void quantized() {
    SplittableRandom rnd = new SplittableRandom(3);
    try (Parallel one = new Parallel(1, "repro")) {
      QuantizedGemm gemm = new QuantizedGemm(one);
      for (Format f : Format.values()) {
        for (int m : new int[] {1, 4, 64}) {
          int k = 256;
          int n = 384;
          QuantizedWeight w = QuantizedWeight.quantize(f, random(rnd, k * n), k, n, false);
          float[] a = random(rnd, m * k);
          float[] c = new float[m * n];
          long least = Long.MAX_VALUE;
          long start = System.nanoTime();
          long end = start + 30_000_000_000L;
          int steady = 0;
          while ((steady < 20 || System.nanoTime() - start < 3_000_000_000L) && System.nanoTime() < end) {
            long before = allocated();
            for (int i = 0; i < 10; i++) {
              gemm.linear(m, a, 0, w, null, c, 0);
            }
            long bytes = (allocated() - before) / 10;
            steady = bytes < least ? 0 : steady + 1;
            least = Math.min(least, bytes);
          }
          System.out.printf("quantized %s M=%d: %d bytes per call%n", f, m, least);
        }
      }
    }
  }

  static void recurrent(RecurrentCell cell) {
    SplittableRandom r = new SplittableRandom(42);
    int b = 32;
    int hs = 128;
    int[] ts = {16, 48};
    try (CpuBackend be = new CpuBackend(1)) {
      int g = cell.gates() * hs;
      int sw = cell.hasCell() ? 2 * hs : hs;
      int ld = cell.savedBlocks() == 0 ? 0 : cell.savedBlocks() * hs;
      long outputs = 4L * b * (sw + ld + g + (cell == RecurrentCell.GRU ? hs : 0));
      Tensor h0 = be.fromHost(random(r, b * hs), Shape.of(b, hs));
      Tensor c0 = cell.hasCell() ? be.fromHost(random(r, b * hs), Shape.of(b, hs)) : null;
      Tensor w = be.fromHost(random(r, g * hs), Shape.of(g, hs));
      Tensor bias = be.fromHost(random(r, g), Shape.of(g));
      Tensor[] gx = new Tensor[2];
      Tensor[] ds = new Tensor[2];
      for (int i = 0; i < 2; i++) {
        gx[i] = be.fromHost(random(r, ts[i] * b * g), Shape.of(ts[i], b, g));
        ds[i] = be.fromHost(random(r, ts[i] * b * sw), Shape.of(ts[i], b, sw));
      }
      long[] least = {Long.MAX_VALUE, Long.MAX_VALUE};
      long start = System.nanoTime();
      long end = start + 30_000_000_000L;
      int steady = 0;
      // At least 3 s: a short kernel can go several windows without lowering while C2 is still
      // queueing its compile on a loaded machine.
      while ((steady < 5 || System.nanoTime() - start < 3_000_000_000L) && System.nanoTime() < end) {
        boolean lowered = false;
        for (int i = 0; i < 2; i++) {
          long before = allocated();
          Tensor[] f = be.recurrentSequence(cell, gx[i], h0, c0, w, bias, false);
          be.recurrentSequenceBackward(cell, gx[i], h0, c0, w, bias, false, f[0], f[1], ds[i]);
          long bytes = allocated() - before;
          if (bytes < least[i]) {
            least[i] = bytes;
            lowered = true;
          }
        }
        steady = lowered ? 0 : steady + 1;
      }
      long perStep = (least[1] - least[0]) / (ts[1] - ts[0]);
      System.out.printf("recurrent %s: %d bytes per step (outputs %d), excess %d%n",
          cell, perStep, outputs, perStep - outputs);
    }
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return x;
  }
}
