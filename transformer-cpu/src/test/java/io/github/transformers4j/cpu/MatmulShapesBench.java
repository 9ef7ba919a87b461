package io.github.transformers4j.cpu;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import java.util.SplittableRandom;

/**
 * A harness (not a test) timing {@link CpuBackend#matmul} over the shapes of one workload:
 * {@code java MatmulShapesBench threads train|minilm|decode [rounds]}. Prints the median
 * microseconds per shape and the median of the per-round totals (one call of each shape).
 */
public final class MatmulShapesBench {
  private MatmulShapesBench() {}

  // {a dims..., -1, b dims..., -1, transA, transB}
  private static final int[][] TRAIN = {
    {12, 64, 512, -1, 12, 64, 128, -1, 1, 0},
    {12, 64, 128, -1, 512, 128, -1, 0, 1},
    {12, 64, 128, -1, 128, 384, -1, 0, 0},
    {12, 64, 128, -1, 12, 64, 512, -1, 1, 0},
    {12, 64, 128, -1, 12, 64, 384, -1, 1, 0},
    {12, 64, 128, -1, 128, 512, -1, 0, 0},
    {12, 64, 512, -1, 128, 512, -1, 0, 1},
    {12, 64, 512, -1, 512, 128, -1, 0, 0},
    {12, 64, 384, -1, 128, 384, -1, 0, 1},
    {12, 4, 64, 64, -1, 12, 4, 64, 32, -1, 1, 0},
    {12, 4, 64, 64, -1, 12, 4, 64, 32, -1, 1, 0},
    {12, 4, 64, 32, -1, 12, 4, 64, 32, -1, 0, 1},
    {12, 4, 64, 32, -1, 12, 4, 64, 32, -1, 0, 1},
    {12, 64, 128, -1, 12, 64, 128, -1, 1, 0},
    {12, 64, 128, -1, 128, 128, -1, 0, 0},
    {12, 64, 128, -1, 128, 128, -1, 0, 1},
    {12, 4, 64, 64, -1, 12, 4, 64, 32, -1, 0, 0},
  };
  private static final int[][] MINILM = {
    {1, 128, 384, -1, 384, 384, -1, 0, 1},
    {1, 128, 384, -1, 384, 384, -1, 0, 1},
    {1, 128, 384, -1, 384, 384, -1, 0, 1},
    {1, 128, 384, -1, 384, 384, -1, 0, 1},
    {1, 128, 384, -1, 1536, 384, -1, 0, 1},
    {1, 128, 1536, -1, 384, 1536, -1, 0, 1},
  };
  private static final int[][] DECODE = {
    {1, 1, 768, -1, 768, 2304, -1, 0, 0},
    {1, 1, 768, -1, 768, 768, -1, 0, 0},
    {1, 1, 768, -1, 768, 3072, -1, 0, 0},
    {1, 1, 3072, -1, 3072, 768, -1, 0, 0},
  };

  public static void main(String[] args) {
    int threads = Integer.parseInt(args[0]);
    int[][] shapes = switch (args[1]) {
      case "train" -> TRAIN;
      case "minilm" -> MINILM;
      default -> DECODE;
    };
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    try (CpuBackend be = new CpuBackend(threads)) {
      SplittableRandom r = new SplittableRandom(1);
      int n = shapes.length;
      Tensor[] as = new Tensor[n];
      Tensor[] bs = new Tensor[n];
      boolean[] ta = new boolean[n];
      boolean[] tb = new boolean[n];
      String[] names = new String[n];
      for (int i = 0; i < n; i++) {
        int[] s = shapes[i];
        int p = 0;
        int q = p;
        while (s[q] != -1) q++;
        Shape sa = Shape.of(java.util.Arrays.copyOfRange(s, p, q));
        p = q + 1;
        q = p;
        while (s[q] != -1) q++;
        Shape sb = Shape.of(java.util.Arrays.copyOfRange(s, p, q));
        ta[i] = s[q + 1] == 1;
        tb[i] = s[q + 2] == 1;
        as[i] = be.fromHost(CpuBackendTest.rand(r, sa), sa);
        bs[i] = be.fromHost(CpuBackendTest.rand(r, sb), sb);
        names[i] = sa + (ta[i] ? "T" : "") + " x " + sb + (tb[i] ? "T" : "");
      }
      double[][] t = new double[n][rounds];
      double[] tot = new double[rounds];
      for (int w = 0; w < rounds / 2; w++) {
        for (int i = 0; i < n; i++) {
          be.matmul(as[i], bs[i], ta[i], tb[i]);
        }
      }
      for (int k = 0; k < rounds; k++) {
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          be.matmul(as[i], bs[i], ta[i], tb[i]);
          t[i][k] = (System.nanoTime() - t0) / 1e3;
          tot[k] += t[i][k];
        }
      }
      for (int i = 0; i < n; i++) {
        java.util.Arrays.sort(t[i]);
        System.out.printf("%-44s %8.1f us%n", names[i], t[i][rounds / 2]);
      }
      java.util.Arrays.sort(tot);
      System.out.printf("TOTAL %s threads=%d median %.1f us  p10 %.1f us%n", args[1], threads, tot[rounds / 2], tot[rounds / 10]);
    }
  }
}
