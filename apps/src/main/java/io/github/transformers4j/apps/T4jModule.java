package io.github.transformers4j.apps;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.github.transformers4j.api.registry.Backends;
import jakarta.inject.Singleton;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The Guice wiring of {@code t4j}: which backend registry the commands see. {@link BackendChoice}
 * needs no binding (it is a {@code @Singleton} with an {@code @Inject} constructor).
 */
public final class T4jModule extends AbstractModule {
  private final Supplier<Backends> backends;

  /** The backends installed in this JVM (module path and class path). */
  public T4jModule() {
    // A supplier, so the ServiceLoader scan happens when a command first needs it, not here.
    this(Backends::installed);
  }

  /** A fixed set of backends (tests, embedding applications). */
  public T4jModule(Backends backends) {
    this(() -> backends);
    Objects.requireNonNull(backends, "backends");
  }

  private T4jModule(Supplier<Backends> backends) {
    this.backends = backends;
  }

  @Provides
  @Singleton
  Backends backends() {
    return backends.get();
  }
}
