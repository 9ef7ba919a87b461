package io.github.transformers4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.Probe;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider: registration, probe, options, and the life cycle of the backend's pool. */
class CpuBackendProviderTest {

  @Test
  void registeredAsCpuAndChosenByPriority() {
    BackendProvider p = Backends.installed().provider("cpu");
    assertTrue(p instanceof CpuBackendProvider, String.valueOf(p));
    assertEquals(100, p.priority());
    Probe probe = p.probe();
    // Tests run with --add-modules jdk.incubator.vector (root pom argLine).
    assertTrue(probe.available(), probe.reason());
    assertTrue(probe.reason().contains("bit vectors"), probe.reason());
    // t4j backends shows the shape the kernels run with: ISA, registers and the SGEMM tile.
    String tile =
        "SGEMM tile " + io.github.transformers4j.cpu.gemm.Sgemm.MR + "×"
            + io.github.transformers4j.cpu.gemm.Sgemm.NR;
    assertTrue(probe.reason().contains(tile), probe.reason());
    assertTrue(probe.reason().contains(io.github.transformers4j.cpu.exec.Machine.ISA), probe.reason());
    assertTrue(probe.reason().contains("vector registers"), probe.reason());
  }

  @Test
  void threadsOptionAndUnknownOptionsRejected() {
    CpuBackendProvider p = new CpuBackendProvider();
    try (ComputeBackend be = p.create(BackendOptions.none().with("threads", "3"))) {
      assertEquals("cpu", be.name());
      assertTrue(be.description().contains("3 threads"), be.description());
      float[] y = be.affine(be.fromHost(new float[] {1, 2}, Shape.of(2)), 2f, 1f).toFloatArray();
      assertEquals(5f, y[1]);
    }
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.create(BackendOptions.of(Map.of("thread", "2"))));
    assertTrue(unknown.getMessage().contains("thread"), unknown.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> p.create(BackendOptions.of(Map.of("threads", "0"))));
    try (ComputeBackend be = p.create(BackendOptions.none().with("prepack", "false"))) {
      assertEquals("cpu", be.name());
    }
    IllegalArgumentException prepack =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.create(BackendOptions.of(Map.of("prepack", "sometimes"))));
    assertEquals(
        "backend option 'prepack' must be true or false, got 'sometimes'", prepack.getMessage());
  }

  @Test
  void attentionBackwardRejectsAGradientOfTheWrongShape() {
    try (CpuBackend be = new CpuBackend(1)) {
      Shape s = Shape.of(1, 2, 200, 8);
      float[] x = new float[s.size()];
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  be.attentionBackward(be.fromHost(x, s), be.fromHost(x, s), be.fromHost(x, s),
                      null, true, 0.5f, be.fromHost(new float[2 * 200 * 8], Shape.of(2, 200, 8))));
      assertEquals(
          "attentionBackward: output gradient (2, 200, 8) must have the attention output's shape"
              + " (1, 2, 200, 8)",
          e.getMessage());
    }
  }

  @Test
  void poolThreadsAreNamedDaemonsAndStopOnClose() throws Exception {
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
    CpuBackend be = new CpuBackend(2);
    int n = 256;
    be.matmul(be.fromHost(new float[n * n], Shape.of(n, n)),
        be.fromHost(new float[n * n], Shape.of(n, n)), false, false);
    // This backend's worker: the t4j-cpu-N thread that did not exist before it was created.
    Thread worker = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("t4j-cpu-") && !before.contains(t))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no t4j-cpu-N worker thread"));
    assertTrue(worker.isDaemon());
    be.close();
    worker.join(5000);
    assertTrue(!worker.isAlive(), "worker still alive after close()");
    assertThrows(IllegalStateException.class,
        () -> be.affine(be.fromHost(new float[1], Shape.of(1)), 1f, 0f));
  }
}
