package io.github.transformers4j.langchain4j;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;

/**
 * The backend a model computes on: one the caller handed in (and closes), or one this module
 * created from the registry (an explicit name, else {@code -Dt4j.backend} / {@code T4J_BACKEND},
 * else the best available, as the command line chooses) and closes with the model.
 */
final class Compute implements AutoCloseable {
  final ComputeBackend backend;
  final Ops ops;
  private final boolean owned;

  private Compute(ComputeBackend backend, boolean owned) {
    this.backend = backend;
    this.ops = new Ops(backend);
    this.owned = owned;
  }

  /** The caller's backend, left open by {@link #close}. */
  static Compute borrowed(ComputeBackend backend) {
    return new Compute(backend, false);
  }

  /**
   * A new backend: {@code name} (null for the configured or best one) with {@code threads} (0
   * for the backend's default).
   */
  static Compute create(String name, int threads) {
    BackendOptions options = BackendOptions.none();
    if (threads > 0) {
      options = options.with("threads", Integer.toString(threads));
    }
    return new Compute(Backends.installed().create(name, options), true);
  }

  @Override
  public void close() {
    if (owned) {
      backend.close();
    }
  }
}
