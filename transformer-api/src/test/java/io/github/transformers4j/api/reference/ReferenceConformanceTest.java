package io.github.transformers4j.api.reference;

import io.github.transformers4j.api.conformance.BackendConformance;
import io.github.transformers4j.api.ComputeBackend;

/** The conformance suite on the reference backend: above all, its gradient checks. */
class ReferenceConformanceTest extends BackendConformance {
  @Override
  protected ComputeBackend createBackend() {
    return new ReferenceBackend();
  }
}
