package io.github.transformers4j.apps.cli;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The global options of {@code t4j} ({@code --backend}, {@code --threads}, {@code --verbose}): one
 * instance per command line, filled by Picocli while it parses and injected into every command that
 * needs a backend, so no command re-declares or re-reads them.
 */
@Singleton
public final class BackendChoice {
  /** The backend option that sets the number of worker threads. */
  public static final String THREADS_OPTION = "threads";

  private final Backends backends;
  private String name;
  private Integer threads;
  private boolean verbose;

  /** A choice over {@code backends} with nothing chosen yet. */
  @Inject
  public BackendChoice(Backends backends) {
    this.backends = backends;
  }

  /** The installed backends the choice is made among. */
  public Backends backends() {
    return backends;
  }

  /** The backend named with {@code --backend}, if any. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /** Sets the backend name; called by the top command while Picocli parses. */
  public void setName(String name) {
    this.name = name;
  }

  /** The thread count given with {@code --threads}, if any. */
  public OptionalInt threads() {
    return threads == null ? OptionalInt.empty() : OptionalInt.of(threads);
  }

  /** Sets the thread count; called by the top command while Picocli parses. */
  public void setThreads(int threads) {
    this.threads = threads;
  }

  /** Whether {@code --verbose} was given: errors then come with their stack trace. */
  public boolean verbose() {
    return verbose;
  }

  /** Sets whether errors show their stack trace; called by the top command while Picocli parses. */
  public void setVerbose(boolean verbose) {
    this.verbose = verbose;
  }

  /**
   * The provider that will be used: the {@code --backend} name, else the system property or
   * environment variable, else the best available one (see {@link Backends#choose}).
   */
  public BackendProvider provider() {
    return backends.choose(name);
  }

  /**
   * The backend options from the global flags ({@code threads} when {@code --threads} is given).
   */
  public BackendOptions options() {
    return threads == null
        ? BackendOptions.none()
        : BackendOptions.none().with(THREADS_OPTION, Integer.toString(threads));
  }

  /** Creates the chosen backend with the global options; the caller closes it. */
  public ComputeBackend create() {
    return provider().create(options());
  }
}
