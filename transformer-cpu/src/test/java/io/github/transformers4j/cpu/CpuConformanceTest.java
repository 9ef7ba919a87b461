package io.github.transformers4j.cpu;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.conformance.BackendConformance;
import org.junit.jupiter.api.AfterAll;

/**
 * The backend conformance suite (every kernel against the reference, every gradient against
 * finite differences) on the cpu backend in this JVM. The module's surefire executions run it
 * again in JVMs forced to AVX2 and to 128-bit vectors, so the kernels of every instruction set
 * are checked whatever the host has; {@code it} runs it once more over every installed backend.
 */
class CpuConformanceTest extends BackendConformance {
  @Override
  protected ComputeBackend createBackend() {
    return new CpuBackend(2, true);
  }

  @AfterAll
  static void closeBackend() {
    closeBackends(CpuConformanceTest.class.getName());
  }
}
