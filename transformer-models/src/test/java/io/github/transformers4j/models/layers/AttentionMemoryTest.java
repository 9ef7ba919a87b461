package io.github.transformers4j.models.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.nn.Init;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Attention memory on the CPU path grows linearly with T: the fused kernel (online softmax over
 * key blocks) never holds the T×T scores. Measured as bytes allocated by the calling thread during
 * {@code Ops.attention} on a 1-thread cpu backend (all work runs on that thread), one head of size
 * 256, causal, at T = 2048, 4096, 8192. A T×T float matrix would be 16, 64 and 256 MiB. The same
 * holds for the backward kernel that training runs (head size 64, T = 1024 to 4096).
 */
class AttentionMemoryTest {
  /** Head size: large enough that the output (T·hs floats) dominates the kernel's fixed buffers. */
  private static final int HS = 256;

  @Test
  void allocationGrowsLinearlyWithSequenceLength() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (ComputeBackend backend = TestSupport.cpu(1)) {
      Ops ops = new Ops(backend);
      long tid = Thread.currentThread().getId();
      // Until C2 compiles the kernel, the Vector API boxes its vectors (hundreds of MB per call):
      // warm up until the count at T=2048 settles, then take the least of three runs per T.
      long previous = Long.MAX_VALUE;
      for (int i = 0; i < 30; i++) {
        long b = measure(ops, mx, tid, 2048);
        if (b < 4L << 20 && Math.abs(b - previous) < previous / 10) {
          break;
        }
        previous = b;
      }
      long[] bytes = new long[3];
      int[] ts = {2048, 4096, 8192};
      for (int i = 0; i < ts.length; i++) {
        bytes[i] = Long.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
          bytes[i] = Math.min(bytes[i], measure(ops, mx, tid, ts[i]));
        }
      }
      double r1 = (double) bytes[1] / bytes[0];
      double r2 = (double) bytes[2] / bytes[1];
      System.out.printf(
          "[AttentionMemoryTest] allocated during attention: T=2048 %,d B, T=4096 %,d B, T=8192 %,d B;"
              + " ratios %.2f and %.2f (linear 2, quadratic 4); a T×T score matrix at 8192 would be %,d B%n",
          bytes[0], bytes[1], bytes[2], r1, r2, 8192L * 8192 * 4);
      // Quadratic growth would be 4x; about 1 MiB of JIT and pool noise blurs the linear 2x.
      assertTrue(r2 > 1.5 && r2 < 3, "T=4096 to 8192 grew " + r2 + "x, not linearly (2x)");
      for (int i = 0; i < ts.length; i++) {
        // The output alone is T·hs floats; allow it twice plus 2 MiB of block buffers.
        long linearBound = 2L * ts[i] * HS * 4 + (2 << 20);
        assertTrue(
            bytes[i] <= linearBound,
            "T=" + ts[i] + " allocated " + bytes[i] + " bytes, more than " + linearBound);
      }
    }
  }

  @Test
  void backwardAllocationGrowsLinearlyWithSequenceLength() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int hs = 64;
    try (ComputeBackend backend = TestSupport.cpu(1)) {
      long tid = Thread.currentThread().getId();
      long previous = Long.MAX_VALUE;
      for (int i = 0; i < 30; i++) {
        long b = measureBackward(backend, mx, tid, 1024, hs);
        if (b < 4L << 20 && Math.abs(b - previous) < previous / 10) {
          break;
        }
        previous = b;
      }
      int[] ts = {1024, 2048, 4096};
      long[] bytes = new long[ts.length];
      for (int i = 0; i < ts.length; i++) {
        bytes[i] = Long.MAX_VALUE;
        // The least of several runs: on a loaded machine a run may still execute code C2 has not
        // compiled yet (boxed vectors), which once made T=2048 look 25 times costlier than 4096.
        for (int run = 0; run < 5; run++) {
          bytes[i] = Math.min(bytes[i], measureBackward(backend, mx, tid, ts[i], hs));
        }
      }
      double r = (double) bytes[2] / bytes[1];
      System.out.printf(
          "[AttentionMemoryTest] allocated during attention backward: T=1024 %,d B, T=2048 %,d B,"
              + " T=4096 %,d B; ratio %.2f (linear 2, quadratic 4); T×T scores at 4096: %,d B%n",
          bytes[0], bytes[1], bytes[2], r, 4096L * 4096 * 4);
      assertTrue(r > 1.5 && r < 3, "T=2048 to 4096 grew " + r + "x, not linearly (2x)");
      for (int i = 0; i < ts.length; i++) {
        // dq, dk and dv are 3·T·hs floats; allow them twice plus 2 MiB of tiles.
        long linearBound = 2L * 3 * ts[i] * hs * 4 + (2 << 20);
        assertTrue(
            bytes[i] <= linearBound,
            "backward at T=" + ts[i] + " allocated " + bytes[i] + " bytes, more than " + linearBound);
      }
    }
  }

  private static long measureBackward(
      ComputeBackend backend, com.sun.management.ThreadMXBean mx, long tid, int t, int hs) {
    SplittableRandom rng = new SplittableRandom(t);
    io.github.transformers4j.api.Shape s = io.github.transformers4j.api.Shape.of(1, 1, t, hs);
    Tensor q = backend.fromHost(Init.normal(rng, t * hs, 1), s);
    Tensor k = backend.fromHost(Init.normal(rng, t * hs, 1), s);
    Tensor v = backend.fromHost(Init.normal(rng, t * hs, 1), s);
    Tensor g = backend.fromHost(Init.normal(rng, t * hs, 1), s);
    long before = mx.getThreadAllocatedBytes(tid);
    Tensor[] grads = backend.attentionBackward(q, k, v, null, true, 0.125f, g);
    long after = mx.getThreadAllocatedBytes(tid);
    for (Tensor x : grads) {
      x.close();
    }
    return after - before;
  }

  private static long measure(Ops ops, com.sun.management.ThreadMXBean mx, long tid, int t) {
    int hs = HS;
    SplittableRandom rng = new SplittableRandom(t);
    Tensor q = ops.tensor(Init.normal(rng, t * hs, 1), 1, 1, t, hs);
    Tensor k = ops.tensor(Init.normal(rng, t * hs, 1), 1, 1, t, hs);
    Tensor v = ops.tensor(Init.normal(rng, t * hs, 1), 1, 1, t, hs);
    long before = mx.getThreadAllocatedBytes(tid);
    Tensor out = ops.attention(q, k, v, null, true, 0.25f);
    long after = mx.getThreadAllocatedBytes(tid);
    out.close();
    return after - before;
  }
}
