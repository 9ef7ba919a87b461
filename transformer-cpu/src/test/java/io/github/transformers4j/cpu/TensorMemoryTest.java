package io.github.transformers4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.TensorMemory;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cpu backend's live-tensor-byte counter: exact sums, views once, close, collection, peak. */
class TensorMemoryTest {

  @Test
  void untrackedByDefault() {
    try (CpuBackend b = new CpuBackend(1)) {
      assertTrue(b.memory().isEmpty());
    }
  }

  @Test
  void countsEachStorageOnceUntilClosed() {
    try (CpuBackend b = new CpuBackend(1, true, true)) {
      TensorMemory m = b.memory().orElseThrow();
      assertEquals(0, m.liveBytes());
      Tensor a = b.fromHost(new float[] {1, 2, 3, 4, 5, 6}, Shape.of(2, 3)); // 24 bytes
      Tensor ids = b.fromHost(new int[] {1, 2, 3}, Shape.of(3)); // 12 bytes
      assertEquals(36, m.liveBytes());
      Tensor view = b.reshape(a, Shape.of(3, 2)); // the same array: no new storage
      assertEquals(36, m.liveBytes());
      Tensor sum = b.binary(BinaryOp.ADD, a, a); // a new 24-byte result
      assertEquals(60, m.liveBytes());
      assertEquals(60, m.peakBytes());
      a.close();
      assertEquals(60, m.liveBytes(), "the view still holds the storage");
      view.close();
      assertEquals(36, m.liveBytes());
      view.close(); // closing twice releases nothing more
      assertEquals(36, m.liveBytes());
      assertEquals(60, m.peakBytes());
      assertEquals(36, m.resetPeak());
      sum.close();
      ids.close();
      assertEquals(0, m.liveBytes());
      assertEquals(36, m.peakBytes());
      Tensor z = b.zeros(Shape.of(10), io.github.transformers4j.api.DType.F32);
      assertEquals(40, m.liveBytes());
      assertEquals(40, m.peakBytes());
      z.close();
      assertEquals(0, m.liveBytes());
    }
  }

  @Test
  void collectedTensorsAreReleased() {
    try (CpuBackend b = new CpuBackend(1, true, true)) {
      TensorMemory m = b.memory().orElseThrow();
      Tensor kept = b.zeros(Shape.of(1000), io.github.transformers4j.api.DType.F32);
      List<Tensor> dropped = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        dropped.add(b.zeros(Shape.of(1000), io.github.transformers4j.api.DType.F32));
      }
      assertEquals(51 * 4000, m.liveBytes());
      dropped = null;
      // Collection is asynchronous: settle() runs the collector until the figure stops changing.
      long live = m.settle(10_000);
      assertEquals(4000, live, "only the kept tensor is live after collection");
      assertEquals(4000, kept.size() * 4L);
      assertEquals(51 * 4000, m.peakBytes());
    }
  }

  @Test
  void trainingStepPeakCoversTheActivationsTheTapeKeeps() {
    // A chain of n tanh ops on (64, 64) keeps every intermediate for the backward: the peak must
    // reach at least n of them (16 KiB each) on top of the input.
    try (CpuBackend b = new CpuBackend(1, true, true)) {
      TensorMemory m = b.memory().orElseThrow();
      Ops ops = new Ops(b);
      Tensor x = ops.tensor(new float[64 * 64], 64, 64);
      m.settle(5_000);
      long base = m.resetPeak();
      int n = 20;
      try (Tape tape = ops.record()) {
        tape.watch(x);
        Tensor y = x;
        for (int i = 0; i < n; i++) {
          y = ops.tanh(y);
        }
        long afterForward = m.settle(5_000);
        assertTrue(
            afterForward - base >= n * 16384L,
            "live after forward " + afterForward + " − base " + base + " < " + n * 16384);
        tape.backward(ops.sumAll(y));
      }
      assertTrue(m.peakBytes() - base >= n * 16384L);
    }
  }

  @Test
  void providerOption() {
    ComputeBackend b =
        Backends.installed()
            .create("cpu", BackendOptions.none().with("threads", "1").with("track_memory", "true"));
    try (b) {
      assertTrue(b.memory().isPresent());
    }
  }
}
