package io.github.transformers4j.models.config;

import java.util.Map;
import java.util.Objects;

/**
 * Typed access to a configuration map with errors that name the field, the value found and what
 * was expected: {@code config 'gpt2': n_head must be an integer, got "four"}.
 */
public final class ConfigReader {
  private final String what;
  private final Map<String, ?> map;

  /** A reader over {@code map}; {@code what} names the configuration in messages. */
  public ConfigReader(String what, Map<String, ?> map) {
    this.what = what;
    this.map = Objects.requireNonNull(map, "config");
  }

  /** Whether {@code field} is present and not null. */
  public boolean has(String field) {
    return map.get(field) != null;
  }

  /** A required integer. */
  public int integer(String field) {
    Object v = map.get(field);
    if (v == null) {
      throw error(field + " is missing");
    }
    return toInt(field, v);
  }

  /** An optional integer. */
  public int integer(String field, int fallback) {
    Object v = map.get(field);
    return v == null ? fallback : toInt(field, v);
  }

  private int toInt(String field, Object v) {
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
        return (int) d;
      }
    }
    throw error(field + " must be an integer, got " + show(v));
  }

  /** An optional number. */
  public double number(String field, double fallback) {
    Object v = map.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw error(field + " must be a number, got " + show(v));
  }

  /** An optional boolean. */
  public boolean bool(String field, boolean fallback) {
    Object v = map.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw error(field + " must be true or false, got " + show(v));
  }

  /** An optional string. */
  public String string(String field, String fallback) {
    Object v = map.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof String s) {
      return s;
    }
    throw error(field + " must be a string, got " + show(v));
  }

  /** An error about this configuration. */
  public IllegalArgumentException error(String message) {
    return new IllegalArgumentException("config '" + what + "': " + message);
  }

  private static String show(Object v) {
    return v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
  }
}
