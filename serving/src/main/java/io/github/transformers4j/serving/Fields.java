package io.github.transformers4j.serving;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;

/** Typed reads of request fields; a wrong type or range is a 400 naming the field. */
final class Fields {
  private Fields() {}

  static boolean present(JsonObject o, String name) {
    return o.has(name) && !o.get(name).isJsonNull();
  }

  static String string(JsonObject o, String name) {
    if (!present(o, name)) {
      throw ApiError.invalid(name, "'" + name + "' is required");
    }
    JsonElement e = o.get(name);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw ApiError.invalid(name, "'" + name + "' must be a string, got " + e);
    }
    return e.getAsString();
  }

  static long integer(JsonObject o, String name, long fallback, long min, long max) {
    if (!present(o, name)) {
      return fallback;
    }
    JsonElement e = o.get(name);
    BigDecimal v = number(e);
    long n;
    try {
      if (v == null) {
        throw new ArithmeticException();
      }
      n = v.longValueExact();
    } catch (ArithmeticException x) {
      throw ApiError.invalid(name, "'" + name + "' must be an integer, got " + e);
    }
    if (n < min || n > max) {
      throw ApiError.invalid(
          name, "'" + name + "' must be in " + min + ".." + max + ", got " + n);
    }
    return n;
  }

  static double real(JsonObject o, String name, double fallback, double min, double max, boolean minOpen) {
    if (!present(o, name)) {
      return fallback;
    }
    BigDecimal v = number(o.get(name));
    if (v == null) {
      throw ApiError.invalid(name, "'" + name + "' must be a number, got " + o.get(name));
    }
    double d = v.doubleValue();
    if (d > max || d < min || (minOpen && d == min)) {
      throw ApiError.invalid(
          name, "'" + name + "' must be in " + (minOpen ? "(" : "[") + min + ", " + max + "], got " + d);
    }
    return d;
  }

  static boolean bool(JsonObject o, String name, boolean fallback) {
    if (!present(o, name)) {
      return fallback;
    }
    JsonElement e = o.get(name);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw ApiError.invalid(name, "'" + name + "' must be true or false, got " + e);
    }
    return e.getAsBoolean();
  }

  /** The value of a JSON number, or {@code null} when {@code e} is not one. */
  static BigDecimal number(JsonElement e) {
    if (e == null || !e.isJsonPrimitive()) {
      return null;
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    if (!p.isNumber()) {
      return null;
    }
    try {
      return new BigDecimal(p.getAsString());
    } catch (NumberFormatException x) {
      return null;
    }
  }

  /** Refuses a field this server does not implement unless it has its neutral value. */
  static void unsupported(JsonObject o, String name, String why, JsonElement... neutral) {
    if (!present(o, name)) {
      return;
    }
    JsonElement e = o.get(name);
    for (JsonElement n : neutral) {
      if (n.equals(e) || (number(n) != null && number(e) != null && number(n).compareTo(number(e)) == 0)) {
        return;
      }
    }
    throw ApiError.invalid(name, "'" + name + "' = " + e + " is not supported by this server: " + why);
  }
}
