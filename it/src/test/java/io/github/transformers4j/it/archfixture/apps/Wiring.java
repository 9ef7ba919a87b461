package io.github.transformers4j.it.archfixture.apps;

import com.google.inject.AbstractModule;
import io.github.transformers4j.it.archfixture.cpu.FakeCpuBackend;

/**
 * Negative-control fixture: apps may use Guice and name a concrete backend, so the rules must not
 * report this class.
 */
public final class Wiring extends AbstractModule {
  @Override
  protected void configure() {
    bind(FakeCpuBackend.class).toInstance(new FakeCpuBackend());
  }
}
