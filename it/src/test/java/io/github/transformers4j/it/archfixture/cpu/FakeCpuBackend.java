package io.github.transformers4j.it.archfixture.cpu;

import io.github.transformers4j.it.archfixture.api.CleanShape;

/** Negative-control fixture: stands for a concrete backend class. */
public final class FakeCpuBackend {
  public CleanShape shape() {
    return new CleanShape(java.util.List.of(1));
  }
}
