package io.github.transformers4j.models.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The class labels of a classification head, from Hugging Face's {@code id2label}. */
public final class Labels {
  private Labels() {}

  /**
   * The labels by index: {@code id2label} when the config has it (its keys must be exactly 0..n-1),
   * else {@code LABEL_0}..{@code LABEL_{n-1}} for {@code num_labels} (default 2), as Hugging Face
   * names them.
   *
   * @throws IllegalArgumentException naming the key that is not an index or the index missing
   */
  public static List<String> fromConfig(Map<String, ?> config) {
    Object m = config.get("id2label");
    if (m instanceof Map<?, ?> map && !map.isEmpty()) {
      String[] names = new String[map.size()];
      for (Map.Entry<?, ?> e : map.entrySet()) {
        int i;
        try {
          i = Integer.parseInt(String.valueOf(e.getKey()));
        } catch (NumberFormatException x) {
          throw new IllegalArgumentException(
              "config 'id2label': key '" + e.getKey() + "' is not a class index");
        }
        if (i < 0 || i >= names.length) {
          throw new IllegalArgumentException(
              "config 'id2label': index " + i + " outside 0.." + (names.length - 1));
        }
        names[i] = String.valueOf(e.getValue());
      }
      return List.of(names);
    }
    Object n = config.get("num_labels");
    int count = n instanceof Number x ? x.intValue() : 2;
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add("LABEL_" + i);
    }
    return List.copyOf(out);
  }

  /** {@code id2label} as Hugging Face writes it: string keys in index order. */
  public static Map<String, String> toId2Label(List<String> labels) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      m.put(Integer.toString(i), labels.get(i));
    }
    return m;
  }
}
