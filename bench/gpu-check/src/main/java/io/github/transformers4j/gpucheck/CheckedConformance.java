package io.github.transformers4j.gpucheck;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.conformance.BackendConformance;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;

/**
 * The api's conformance suite over the backend the check runs on. JUnit instantiates this class
 * reflectively, so the backend's name comes through a static field that {@link ConformanceRun}
 * sets before the launch.
 */
public class CheckedConformance extends BackendConformance {
  static volatile String backendName = "aparapi";

  @Override
  protected ComputeBackend createBackend() {
    return Backends.installed().create(backendName, BackendOptions.none());
  }

  @Override
  protected String backendKey() {
    return CheckedConformance.class.getName() + "/" + backendName;
  }

  /** Closes the backend the suite opened (it keeps one open across its test methods). */
  static void closeOpened() {
    closeBackends(CheckedConformance.class.getName());
  }
}
