package io.github.transformers4j.api.spi;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * String options for {@link BackendProvider#create} ({@code threads=2}, {@code device=0}).
 * Providers reject options they do not know rather than ignore them.
 */
public final class BackendOptions {
  private static final BackendOptions NONE = new BackendOptions(Map.of());
  private final Map<String, String> values;

  private BackendOptions(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /** No options: every provider's defaults. */
  public static BackendOptions none() {
    return NONE;
  }

  /** Options from a map (copied). */
  public static BackendOptions of(Map<String, String> values) {
    return values.isEmpty() ? NONE : new BackendOptions(values);
  }

  /** This set plus {@code key=value}. */
  public BackendOptions with(String key, String value) {
    Map<String, String> m = new TreeMap<>(values);
    m.put(key, value);
    return new BackendOptions(m);
  }

  /** All options. */
  public Map<String, String> asMap() {
    return values;
  }

  /** A string option, or {@code fallback}. */
  public String get(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  /** A positive integer option, or {@code fallback}; a malformed value fails naming the key. */
  public int getPositiveInt(String key, int fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      int i = Integer.parseInt(v.trim());
      if (i <= 0) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "backend option '" + key + "' must be a positive integer, got '" + v + "'");
    }
  }

  /** A boolean option ({@code true} or {@code false}), or {@code fallback}; anything else fails. */
  public boolean getBoolean(String key, boolean fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(
          "backend option '" + key + "' must be true or false, got '" + v + "'");
    };
  }

  /**
   * Fails when an option is not in {@code known}, naming the unknown ones and the accepted ones.
   *
   * @param backend the backend name, for the message
   */
  public void requireOnly(String backend, Set<String> known) {
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "backend '" + backend + "': unknown options " + unknown + "; accepted: " + new TreeSet<>(known));
    }
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
