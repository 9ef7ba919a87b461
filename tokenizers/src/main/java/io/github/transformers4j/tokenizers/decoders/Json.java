package io.github.transformers4j.tokenizers.decoders;

import java.util.LinkedHashMap;
import java.util.Map;

/** Small helper to write {@code tokenizer.json} objects with their keys in order. */
final class Json {
  private Json() {}

  static Map<String, Object> type(String type, Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
