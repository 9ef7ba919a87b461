package io.github.transformers4j.cpu.gemm;

import io.github.transformers4j.cpu.exec.Parallel;
import java.util.SplittableRandom;

/**
 * A short SGEMM throughput harness for tuning (not a test): {@code java GemmBench [threads]
 * [sizes...]} prints the median GFLOP/s of square row-major products.
 */
public final class GemmBench {
  private GemmBench() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int[] sizes = {256, 512, 1024, 2048};
    if (args.length > 1) {
      sizes = new int[args.length - 1];
      for (int i = 1; i < args.length; i++) {
        sizes[i - 1] = Integer.parseInt(args[i]);
      }
    }
    System.out.printf(
        "species %d floats, MR=%d NR=%d KC=%d MC=%d NC=%d, threads %d%n",
        Sgemm.VL, Sgemm.MR, Sgemm.NR, Sgemm.KC, Sgemm.MC, Sgemm.NC, threads);
    try (Parallel parallel = new Parallel(threads, "bench")) {
      Sgemm gemm = new Sgemm(parallel);
      SplittableRandom rnd = new SplittableRandom(42);
      for (int n : sizes) {
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) rnd.nextDouble(-1, 1);
          b[i] = (float) rnd.nextDouble(-1, 1);
        }
        double flops = 2.0 * n * n * n;
        // Enough repetitions for ~0.3 s per size after warm-up.
        int reps = (int) Math.max(3, Math.min(200, 1.5e10 / flops));
        for (int w = 0; w < Math.max(2, reps / 2); w++) {
          gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        }
        double[] g = new double[reps];
        for (int r = 0; r < reps; r++) {
          long t0 = System.nanoTime();
          gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
          g[r] = flops / (System.nanoTime() - t0);
        }
        java.util.Arrays.sort(g);
        System.out.printf("n=%5d  median %.1f GFLOP/s  best %.1f%n", n, g[reps / 2], g[reps - 1]);
      }
    }
  }
}
