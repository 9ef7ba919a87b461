package io.github.transformers4j.apps.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Writes benchmark results as JSON: maps, iterables, strings, numbers, booleans and null. Small on
 * purpose; a JSON library would be the only third-party dependency the benchmark needs.
 */
final class Json {
  private Json() {}

  /** {@code value} as indented JSON; a non-finite number becomes {@code null}. */
  static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0);
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object v, int indent) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      string(sb, s);
    } else if (v instanceof Boolean) {
      sb.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      // Six significant digits are more than any timing here can claim.
      sb.append(
          Double.isFinite(d)
              ? new BigDecimal(d).round(new MathContext(6)).stripTrailingZeros().toPlainString()
              : "null");
    } else if (v instanceof Number) {
      sb.append(v);
    } else if (v instanceof double[] arr) {
      sb.append('[');
      for (int i = 0; i < arr.length; i++) {
        sb.append(i == 0 ? "" : ", ");
        write(sb, arr[i], indent);
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append("{\n");
      Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        sb.append("  ".repeat(indent + 1));
        string(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), indent + 1);
        sb.append(it.hasNext() ? ",\n" : "\n");
      }
      sb.append("  ".repeat(indent)).append('}');
    } else if (v instanceof Iterable<?> list) {
      Iterator<?> it = list.iterator();
      if (!it.hasNext()) {
        sb.append("[]");
        return;
      }
      sb.append("[\n");
      while (it.hasNext()) {
        sb.append("  ".repeat(indent + 1));
        write(sb, it.next(), indent + 1);
        sb.append(it.hasNext() ? ",\n" : "\n");
      }
      sb.append("  ".repeat(indent)).append(']');
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
