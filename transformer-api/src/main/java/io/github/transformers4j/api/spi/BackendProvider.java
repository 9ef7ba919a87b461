package io.github.transformers4j.api.spi;

import io.github.transformers4j.api.ComputeBackend;
import java.util.Set;

/**
 * A compute backend as a named plugin found through {@link java.util.ServiceLoader}. Registered
 * twice: {@code provides ... with ...} in {@code module-info.java} and a
 * {@code META-INF/services/io.github.transformers4j.api.spi.BackendProvider} line.
 *
 * <p>Constructing a provider must be cheap and side-effect free; {@link #probe()} is cheap too
 * (no kernels compiled, no pools started); the engine is built only by {@link #create}.
 */
public interface BackendProvider extends NamedProvider {

  /** Higher wins when no backend is named; the CPU backend uses 100. */
  int priority();

  /** Whether this backend can run here, and if not, why. Never throws. */
  Probe probe();

  /** The option keys {@link #create} accepts. */
  Set<String> options();

  /**
   * Builds the backend.
   *
   * @throws IllegalArgumentException for an unknown or malformed option
   * @throws IllegalStateException when the backend cannot run here (the probe's reason)
   */
  ComputeBackend create(BackendOptions options);
}
