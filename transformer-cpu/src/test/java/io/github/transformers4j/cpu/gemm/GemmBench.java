package io.github.transformers4j.cpu.gemm;

import io.github.transformers4j.cpu.exec.Parallel;
import java.util.SplittableRandom;

/**
 * A short SGEMM throughput harness for tuning (not a test): {@code java GemmBench [threads]
 * [sizes...]} prints the median GFLOP/s of row-major products; a size is {@code N} (square) or
 * {@code MxNxK}, with a trailing {@code t} for a transposed B stored (N, K) as nn.Linear keeps
 * its weight (for instance {@code 128x1536x384t}, a MiniLM feed-forward product).
 */
public final class GemmBench {
  private GemmBench() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    String[] sizes = {"256", "512", "1024", "2048"};
    if (args.length > 1) {
      sizes = java.util.Arrays.copyOfRange(args, 1, args.length);
    }
    System.out.printf(
        "species %d floats, MR=%d NR=%d KC=%d MC=%d NC=%d (%s), threads %d%n",
        Sgemm.VL, Sgemm.MR, Sgemm.NR, Sgemm.KC, Sgemm.MC, Sgemm.NC,
        io.github.transformers4j.cpu.exec.Machine.describe(), threads);
    try (Parallel parallel = new Parallel(threads, "bench")) {
      Sgemm gemm = new Sgemm(parallel);
      SplittableRandom rnd = new SplittableRandom(42);
      for (String size : sizes) {
        boolean tb = size.endsWith("t");
        String[] d = (tb ? size.substring(0, size.length() - 1) : size).split("x");
        int m = Integer.parseInt(d[0]);
        int n = d.length > 1 ? Integer.parseInt(d[1]) : m;
        int k = d.length > 2 ? Integer.parseInt(d[2]) : m;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) rnd.nextDouble(-1, 1);
        }
        int ldb = tb ? k : n;
        double flops = 2.0 * m * n * k;
        // Enough repetitions for ~0.3 s per size after warm-up.
        int reps = (int) Math.max(3, Math.min(200, 1.5e10 / flops));
        for (int w = 0; w < Math.max(2, reps / 2); w++) {
          gemm.sgemm(false, tb, m, n, k, 1f, a, 0, k, b, 0, ldb, 0f, c, 0, n);
        }
        double[] g = new double[reps];
        // On one thread, also per CPU second of this thread: steadier than wall time when other
        // work shares the cores (time the thread waits for a core is not counted).
        java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] gc = new double[reps];
        for (int r = 0; r < reps; r++) {
          long c0 = tmx.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          gemm.sgemm(false, tb, m, n, k, 1f, a, 0, k, b, 0, ldb, 0f, c, 0, n);
          g[r] = flops / (System.nanoTime() - t0);
          gc[r] = flops / Math.max(1, tmx.getCurrentThreadCpuTime() - c0);
        }
        java.util.Arrays.sort(g);
        java.util.Arrays.sort(gc);
        System.out.printf("%-14s median %.1f GFLOP/s  best %.1f  per-cpu-s median %.1f%n", size,
            g[reps / 2], g[reps - 1], gc[reps / 2]);
      }
    }
  }
}
