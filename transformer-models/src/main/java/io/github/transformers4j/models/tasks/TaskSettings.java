package io.github.transformers4j.models.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A task's entry in a config's {@code task_specific_params} (T5 and BART checkpoints carry them:
 * {@code summarization} with its {@code prefix}, beams and lengths; {@code translation_en_to_de}
 * ...), as Hugging Face's pipelines apply them over the folder's generation settings.
 */
public final class TaskSettings {
  private TaskSettings() {}

  /** The tasks named under {@code task_specific_params} whose names start with {@code stem}. */
  public static List<String> tasks(Map<String, ?> config, String stem) {
    List<String> out = new ArrayList<>();
    if (config.get("task_specific_params") instanceof Map<?, ?> m) {
      for (Object k : new TreeMap<>(m).keySet()) {
        if (String.valueOf(k).startsWith(stem)) {
          out.add(String.valueOf(k));
        }
      }
    }
    return out;
  }

  /** The parameters of {@code task} (empty when the config has none). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> of(Map<String, ?> config, String task) {
    if (config.get("task_specific_params") instanceof Map<?, ?> m && m.get(task) instanceof Map<?, ?> t) {
      return new TreeMap<>((Map<String, Object>) t);
    }
    return Map.of();
  }

  /** The task's {@code prefix} ("" when none). */
  public static String prefix(Map<String, ?> params) {
    Object p = params.get("prefix");
    return p instanceof String s ? s : "";
  }
}
