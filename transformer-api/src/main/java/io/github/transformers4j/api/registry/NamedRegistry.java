package io.github.transformers4j.api.registry;

import io.github.transformers4j.api.spi.NamedProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Named plugins of one kind, in the manner of Lucene's {@code NamedSPILoader}: lookup by name, an
 * unknown name fails listing the names that exist, the first registration of a name wins, names
 * are validated.
 *
 * <p>Build one lazily (in a holder class), never in a static initializer with side effects.
 *
 * @param <P> the provider type
 */
public final class NamedRegistry<P extends NamedProvider> {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]*");

  private final String kind;
  private final Map<String, P> byName;
  private final List<String> ignored;

  private NamedRegistry(String kind, Map<String, P> byName, List<String> ignored) {
    this.kind = kind;
    this.byName = Collections.unmodifiableMap(byName);
    this.ignored = List.copyOf(ignored);
  }

  /**
   * Loads every provider of {@code type} visible to {@code loader} (module path and class path).
   *
   * @param kind what the plugins are, for messages ("backend", "tokenizer")
   */
  public static <P extends NamedProvider> NamedRegistry<P> load(
      String kind, Class<P> type, ServiceLoader<P> loader) {
    List<P> found = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    var it = loader.iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        // One broken plugin jar must not hide the others; it is reported by problems().
        problems.add(e.getMessage());
      }
    }
    return of(kind, found, problems);
  }

  /** A registry of the given providers, in order (the first of a name wins). */
  public static <P extends NamedProvider> NamedRegistry<P> of(String kind, List<P> providers) {
    return of(kind, providers, List.of());
  }

  private static <P extends NamedProvider> NamedRegistry<P> of(
      String kind, List<P> providers, List<String> problems) {
    Map<String, P> map = new LinkedHashMap<>();
    List<String> ignored = new ArrayList<>(problems);
    for (P p : providers) {
      String name = p.name();
      if (name == null || !NAME.matcher(name).matches()) {
        ignored.add(
            kind + " provider " + p.getClass().getName() + " has an invalid name '" + name
                + "' (expected " + NAME.pattern() + ")");
        continue;
      }
      P previous = map.putIfAbsent(name, p);
      if (previous != null && previous != p) {
        ignored.add(
            kind + " '" + name + "' from " + p.getClass().getName() + " ignored: already registered by "
                + previous.getClass().getName());
      }
    }
    return new NamedRegistry<>(kind, map, ignored);
  }

  /**
   * The provider registered as {@code name}.
   *
   * @throws IllegalArgumentException naming the unknown name and listing the known ones
   */
  public P forName(String name) {
    Objects.requireNonNull(name, "name");
    P p = byName.get(name.trim().toLowerCase(java.util.Locale.ROOT));
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown "
              + kind
              + " '"
              + (name.length() > 40 ? name.substring(0, 40) + "…" : name)
              + "'; available: "
              + String.join(", ", names()));
    }
    return p;
  }

  /** Whether a provider is registered as {@code name}. */
  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** The registered names, sorted. */
  public SortedSet<String> names() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(byName.keySet()));
  }

  /** The providers in registration order. */
  public List<P> all() {
    return List.copyOf(byName.values());
  }

  /** Providers that were skipped (invalid names, duplicates, broken service entries), as messages. */
  public List<String> problems() {
    return ignored;
  }

  /** What this registry holds ("backend", "tokenizer"). */
  public String kind() {
    return kind;
  }
}
