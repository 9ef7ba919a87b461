package io.github.transformers4j.cpu;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import java.util.SplittableRandom;

/**
 * A short harness (not a test) comparing the fused attention with the composed default on the
 * same backend: {@code java AttentionBench [threads] [T] [hs] [causal]}; prints median milliseconds, A B A B.
 */
public final class AttentionBench {
  private AttentionBench() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int t = args.length > 1 ? Integer.parseInt(args[1]) : 512;
    int b = 1;
    int nh = 12;
    int hs = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    boolean causal = args.length <= 3 || Boolean.parseBoolean(args[3]);
    try (CpuBackend be = new CpuBackend(threads)) {
      SplittableRandom r = new SplittableRandom(1);
      Shape s = Shape.of(b, nh, t, hs);
      Tensor q = be.fromHost(CpuBackendTest.rand(r, s), s);
      Tensor k = be.fromHost(CpuBackendTest.rand(r, s), s);
      Tensor v = be.fromHost(CpuBackendTest.rand(r, s), s);
      float scale = 0.125f;
      int reps = 15;
      double[] fused = new double[reps];
      double[] composed = new double[reps];
      for (int i = 0; i < Math.max(5, 20000 / t); i++) {
        be.attention(q, k, v, null, causal, scale);
        CpuBackendTest.composed(be, q, k, v, null, causal, scale);
      }
      for (int i = 0; i < reps; i++) {
        long t0 = System.nanoTime();
        be.attention(q, k, v, null, causal, scale);
        long t1 = System.nanoTime();
        CpuBackendTest.composed(be, q, k, v, null, causal, scale);
        long t2 = System.nanoTime();
        fused[i] = (t1 - t0) / 1e6;
        composed[i] = (t2 - t1) / 1e6;
      }
      java.util.Arrays.sort(fused);
      java.util.Arrays.sort(composed);
      System.out.printf((causal ? "causal" : "full") + " attention B=%d nh=%d T=%d hs=%d, %d threads: fused %.2f ms, "
          + "composed %.2f ms (ratio %.2f)%n", b, nh, t, hs, threads, fused[reps / 2],
          composed[reps / 2], composed[reps / 2] / fused[reps / 2]);
      // The backward: the fused kernel against the interface's composed default, A B A B.
      Tensor g = be.fromHost(CpuBackendTest.rand(r, s), s);
      io.github.transformers4j.api.ComputeBackend plain = composedBackward(be);
      for (int i = 0; i < Math.max(5, 20000 / t); i++) {
        be.attentionBackward(q, k, v, null, causal, scale, g);
        plain.attentionBackward(q, k, v, null, causal, scale, g);
      }
      for (int i = 0; i < reps; i++) {
        long t0 = System.nanoTime();
        be.attentionBackward(q, k, v, null, causal, scale, g);
        long t1 = System.nanoTime();
        plain.attentionBackward(q, k, v, null, causal, scale, g);
        long t2 = System.nanoTime();
        fused[i] = (t1 - t0) / 1e6;
        composed[i] = (t2 - t1) / 1e6;
      }
      java.util.Arrays.sort(fused);
      java.util.Arrays.sort(composed);
      System.out.printf("backward: fused %.2f ms, composed %.2f ms (ratio %.2f)%n", fused[reps / 2],
          composed[reps / 2], composed[reps / 2] / fused[reps / 2]);
    }
  }

  // A view of the backend that keeps every kernel but the backward of attention, which falls back
  // to the interface's composed default.
  private static io.github.transformers4j.api.ComputeBackend composedBackward(CpuBackend be) {
    return (io.github.transformers4j.api.ComputeBackend)
        java.lang.reflect.Proxy.newProxyInstance(
            AttentionBench.class.getClassLoader(),
            new Class<?>[] {io.github.transformers4j.api.ComputeBackend.class},
            (proxy, m, a) -> {
              if (m.getName().equals("attentionBackward")) {
                return java.lang.invoke.MethodHandles.privateLookupIn(
                        io.github.transformers4j.api.ComputeBackend.class,
                        java.lang.invoke.MethodHandles.lookup())
                    .unreflectSpecial(m, io.github.transformers4j.api.ComputeBackend.class)
                    .bindTo(proxy)
                    .invokeWithArguments(a);
              }
              return m.invoke(be, a);
            });
  }
}
