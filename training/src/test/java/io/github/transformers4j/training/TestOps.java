package io.github.transformers4j.training;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;

/** Ops on the api's reference backend, for tests. */
public final class TestOps {
  private TestOps() {}

  public static Ops reference() {
    return new Ops(Backends.installed().create("reference", BackendOptions.none()));
  }
}
