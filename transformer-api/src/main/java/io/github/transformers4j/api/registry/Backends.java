package io.github.transformers4j.api.registry;

import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.Probe;
import java.lang.System.Logger.Level;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds and chooses compute backends.
 *
 * <p>Choice order: an explicit name; else the system property {@value #PROPERTY}; else the
 * environment variable {@value #ENV}; else the available backend of highest priority. An explicit
 * name that cannot run here is an error; a name from the property or the environment that cannot
 * run falls back to the best available one, and the fallback is logged once with its reason.
 */
public final class Backends {
  /** System property naming the backend. */
  public static final String PROPERTY = "t4j.backend";

  /** Environment variable naming the backend. */
  public static final String ENV = "T4J_BACKEND";

  private static final System.Logger LOG = System.getLogger(Backends.class.getName());
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private final NamedRegistry<BackendProvider> registry;
  private final Map<String, Probe> probes = new ConcurrentHashMap<>();

  /** A chooser over the given registry (tests pass their own). */
  public Backends(NamedRegistry<BackendProvider> registry) {
    this.registry = registry;
  }

  // Lazily built: ServiceLoader runs on first use, not at class load.
  private static final class Holder {
    static final Backends INSTANCE =
        new Backends(
            NamedRegistry.load(
                "backend",
                BackendProvider.class,
                ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())));
  }

  /** The backends found on the module path and class path of this JVM. */
  public static Backends installed() {
    return Holder.INSTANCE;
  }

  /** The registry behind this chooser. */
  public NamedRegistry<BackendProvider> registry() {
    return registry;
  }

  /** The provider registered as {@code name}; an unknown name lists the known ones. */
  public BackendProvider provider(String name) {
    return registry.forName(name);
  }

  /** The probe of {@code provider}, run once and remembered. A throwing probe counts as unavailable. */
  public Probe probe(BackendProvider provider) {
    return probes.computeIfAbsent(
        provider.name(),
        n -> {
          try {
            return provider.probe();
          } catch (RuntimeException | LinkageError e) {
            return Probe.unavailable("probe failed: " + e);
          }
        });
  }

  /** Every provider, highest priority first. */
  public List<BackendProvider> byPriority() {
    return registry.all().stream()
        .sorted(Comparator.comparingInt(BackendProvider::priority).reversed())
        .toList();
  }

  /** The available provider of highest priority. */
  public BackendProvider best() {
    for (BackendProvider p : byPriority()) {
      if (probe(p).available()) {
        return p;
      }
    }
    StringBuilder why = new StringBuilder("no compute backend can run here:");
    for (BackendProvider p : byPriority()) {
      why.append(' ').append(p.name()).append(" (").append(probe(p).reason()).append(')');
    }
    if (registry.all().isEmpty()) {
      why.append(" none is installed (put transformer-cpu on the module path or class path)");
    }
    throw new IllegalStateException(why.toString());
  }

  /**
   * The provider that {@link #create} would use for {@code explicitName} (may be {@code null})
   * given the property and environment.
   */
  public BackendProvider choose(String explicitName) {
    if (explicitName != null && !explicitName.isBlank()) {
      BackendProvider p = registry.forName(explicitName);
      Probe probe = probe(p);
      if (!probe.available()) {
        throw new IllegalStateException(
            "backend '" + p.name() + "' cannot run here: " + probe.reason());
      }
      return p;
    }
    String configured = System.getProperty(PROPERTY);
    String source = "system property " + PROPERTY;
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(ENV);
      source = "environment variable " + ENV;
    }
    if (configured != null && !configured.isBlank()) {
      BackendProvider p = registry.forName(configured);
      Probe probe = probe(p);
      if (probe.available()) {
        return p;
      }
      BackendProvider fallback = best();
      logOnce(
          "fallback:" + p.name(),
          "backend '" + p.name() + "' (from " + source + ") cannot run here: " + probe.reason()
              + "; using '" + fallback.name() + "' instead");
      return fallback;
    }
    return best();
  }

  /** Creates the backend chosen by {@link #choose} with the given options. */
  public ComputeBackend create(String explicitName, BackendOptions options) {
    return choose(explicitName).create(options);
  }

  /** Creates the default backend with default options. */
  public static ComputeBackend createDefault() {
    return installed().create(null, BackendOptions.none());
  }

  private static void logOnce(String key, String message) {
    if (LOGGED.add(key)) {
      LOG.log(Level.WARNING, message);
    }
  }
}
