package io.github.transformers4j.models.layers;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks of named-layer options: unknown keys are errors, not ignored. */
final class LayerOptions {
  private LayerOptions() {}

  static float eps(String layer, Map<String, String> options, Set<String> known) {
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "layer '" + layer + "': unknown options " + unknown + "; known: " + new TreeSet<>(known));
    }
    String eps = options.getOrDefault("eps", "1e-5");
    try {
      float e = Float.parseFloat(eps);
      if (!(e > 0f)) {
        throw new NumberFormatException();
      }
      return e;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "layer '" + layer + "': option eps must be a positive number, got '" + eps + "'");
    }
  }
}
