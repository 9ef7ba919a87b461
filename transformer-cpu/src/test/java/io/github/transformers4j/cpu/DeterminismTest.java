package io.github.transformers4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, defect 8: the CPU backend's results depend on the configured thread count and the
 * sizes only, never on scheduling: not on which worker finished first, nor on whether the pool was
 * free or busy with another thread's loop. The parameter gradients of the norms and the
 * cross-entropy loss do not depend even on the thread count.
 */
class DeterminismTest {
  static final long SEED = 20261206L;

  static float[] rand(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextDouble(-2, 2);
    }
    return x;
  }

  /** The float bits of every output of {@code f} on a fresh backend of {@code threads}. */
  static List<float[]> outputs(int threads, Function<CpuBackend, Tensor[]> f) {
    try (CpuBackend cpu = new CpuBackend(threads)) {
      List<float[]> first = null;
      // Several calls: the pieces are taken in a different order each time.
      for (int call = 0; call < 3; call++) {
        List<float[]> out = new ArrayList<>();
        for (Tensor x : f.apply(cpu)) {
          out.add(x.toFloatArray());
        }
        if (first == null) {
          first = out;
        } else {
          for (int i = 0; i < out.size(); i++) {
            assertArrayEquals(first.get(i), out.get(i), "output " + i + ", call " + call);
          }
        }
      }
      return first;
    }
  }

  @Test
  void normGradientsAndTheLossDoNotDependOnTheThreadCount() {
    SplittableRandom r = new SplittableRandom(SEED);
    int rows = 2000;
    int c = 200;
    int v = 100;
    float[] x = rand(r, rows * c);
    float[] gamma = rand(r, c);
    float[] dy = rand(r, rows * c);
    float[] logits = rand(r, rows * v);
    int[] targets = new int[rows];
    for (int i = 0; i < rows; i++) {
      targets[i] = i % 17 == 0 ? -100 : r.nextInt(v);
    }
    Function<CpuBackend, Tensor[]> f =
        cpu -> {
          Shape sx = Shape.of(rows, c);
          Tensor tx = cpu.fromHost(x, sx);
          Tensor tg = cpu.fromHost(gamma, Shape.of(c));
          Tensor tdy = cpu.fromHost(dy, sx);
          Tensor[] ln = cpu.layerNormBackward(tx, tg, 1e-5f, tdy);
          Tensor[] rms = cpu.rmsNormBackward(tx, tg, 1e-6f, tdy);
          Tensor loss =
              cpu.crossEntropy(
                  cpu.fromHost(logits, Shape.of(rows, v)),
                  cpu.fromHost(targets, Shape.of(rows)),
                  -100,
                  0.1f);
          return new Tensor[] {ln[0], ln[1], ln[2], rms[0], rms[1], loss};
        };
    List<float[]> one = outputs(1, f);
    for (int threads : new int[] {2, 3, 8}) {
      List<float[]> many = outputs(threads, f);
      for (int i = 0; i < one.size(); i++) {
        assertArrayEquals(one.get(i), many.get(i), "output " + i + " with " + threads + " threads");
      }
    }
  }

  @Test
  void aBackendSharedByEightThreadsGivesTheBitsOfSerialCalls() throws Exception {
    // 8 backend threads, on a machine that may have 2 cores: more threads than processors.
    try (CpuBackend cpu = new CpuBackend(8)) {
      SplittableRandom r = new SplittableRandom(SEED + 1);
      int callers = 8;
      List<Function<CpuBackend, float[]>> work = new ArrayList<>();
      for (int t = 0; t < callers; t++) {
        // Sizes that take every GEMM path: split over N, over M, over K (skinny), packed weights.
        int m = new int[] {1, 3, 64, 200, 4, 130, 2, 96}[t];
        int k = new int[] {512, 1024, 96, 64, 700, 128, 300, 256}[t];
        int n = new int[] {384, 256, 1024, 160, 512, 640, 2048, 192}[t];
        float[] a = rand(r, m * k);
        float[] w = rand(r, n * k);
        float[] b = rand(r, n);
        float[] gamma = rand(r, n);
        work.add(
            be -> {
              Tensor x = be.fromHost(a, Shape.of(m, k));
              Tensor wt = be.fromHost(w, Shape.of(n, k));
              Tensor y = be.linear(x, wt, true, be.fromHost(b, Shape.of(n)));
              y = be.linear(x, wt, true, null); // the second use packs the weight
              Tensor z = be.matmul(y, be.fromHost(w, Shape.of(n, k)), false, false);
              Tensor g = be.layerNormBackward(y, be.fromHost(gamma, Shape.of(n)), 1e-5f, y)[1];
              float[] zz = z.toFloatArray();
              float[] gg = g.toFloatArray();
              float[] all = java.util.Arrays.copyOf(zz, zz.length + gg.length);
              System.arraycopy(gg, 0, all, zz.length, gg.length);
              return all;
            });
      }
      List<float[]> serial = new ArrayList<>();
      for (Function<CpuBackend, float[]> f : work) {
        serial.add(f.apply(cpu));
      }
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      try {
        for (int round = 0; round < 4; round++) {
          CyclicBarrier start = new CyclicBarrier(callers);
          List<Future<float[]>> got = new ArrayList<>();
          for (Function<CpuBackend, float[]> f : work) {
            got.add(
                pool.submit(
                    () -> {
                      start.await();
                      return f.apply(cpu);
                    }));
          }
          for (int t = 0; t < callers; t++) {
            float[] want = serial.get(t);
            float[] have = got.get(t).get();
            assertEquals(want.length, have.length);
            for (int i = 0; i < want.length; i++) {
              if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(have[i])) {
                throw new AssertionError(
                    "caller "
                        + t
                        + ", round "
                        + round
                        + ": element "
                        + i
                        + " is "
                        + have[i]
                        + " shared, "
                        + want[i]
                        + " serial (seed "
                        + SEED
                        + ")");
              }
            }
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
