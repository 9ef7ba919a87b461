package io.github.transformers4j.gpu.aparapi;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.conformance.BackendConformance;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.Probe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;

/**
 * The backend conformance suite (every kernel against the reference, every gradient against
 * finite differences) on the OpenCL device. Skipped, with the probe's reason, where there is no
 * OpenCL device; on CI, where PoCL is installed, {@code it} runs the suite again and fails
 * instead of skipping.
 */
class AparapiConformanceTest extends BackendConformance {
  @Override
  protected ComputeBackend createBackend() {
    Probe probe = new AparapiBackendProvider().probe();
    if (!probe.available()) {
      System.out.println("SKIP aparapi conformance: " + probe.reason());
    }
    Assumptions.assumeTrue(probe.available(), probe.reason());
    return new AparapiBackendProvider().create(BackendOptions.none());
  }

  @AfterAll
  static void closeBackend() {
    closeBackends(AparapiConformanceTest.class.getName());
  }
}
