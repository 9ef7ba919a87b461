package io.github.transformers4j.api.reference;

import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.Probe;
import java.util.Set;

/** Registers {@link ReferenceBackend} as {@code reference}, priority 0 (last resort). */
public final class ReferenceBackendProvider implements BackendProvider {

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public Probe probe() {
    return Probe.available("pure Java, always available (slow; the test oracle)");
  }

  @Override
  public Set<String> options() {
    return Set.of();
  }

  @Override
  public ComputeBackend create(BackendOptions options) {
    options.requireOnly(name(), options());
    return new ReferenceBackend();
  }
}
