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
  }

  @Test
  void poolThreadsAreNamedDaemonsAndStopOnClose() throws Exception {
    CpuBackend be = new CpuBackend(2);
    // A product big enough to be split over both threads starts the worker.
    int n = 256;
    be.matmul(be.fromHost(new float[n * n], Shape.of(n, n)),
        be.fromHost(new float[n * n], Shape.of(n, n)), false, false);
    Thread worker = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("t4j-cpu-"))
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
