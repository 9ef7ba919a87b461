package io.github.transformers4j.models.nn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Module;
import io.github.transformers4j.models.weights.Weights;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Loads a checkpoint into a module name for name: every parameter must be in the checkpoint
 * (under an optional prefix such as {@code transformer.}) with exactly the parameter's shape, and
 * every checkpoint tensor must be used, unless the caller declares it ignorable (a buffer such as
 * GPT-2's {@code attn.bias}, a tied {@code lm_head.weight}). Any violation fails before a single
 * parameter is replaced, with a message naming each tensor, the expected and the found shape.
 */
public final class WeightLoader {
  private static final int MAX_LISTED = 20;

  private WeightLoader() {}

  /**
   * Loads {@code weights} into {@code module}.
   *
   * @param prefix prepended to every parameter name to find it in the checkpoint ("" for none)
   * @param ignorable checkpoint names that may be present without a parameter
   * @throws IllegalArgumentException listing the missing, unexpected and wrongly shaped tensors
   */
  public static void load(
      Ops ops, Module module, Weights weights, String prefix, Predicate<String> ignorable) {
    load(ops, module, weights, prefix, ignorable, name -> false);
  }

  /**
   * Loads {@code weights} into {@code module}, where the parameters {@code optional} names may be
   * absent from the checkpoint: they keep their current values (a BERT checkpoint exported for
   * sentence embeddings has no pooler). Present, they must fit like any other.
   *
   * @param optional parameter names (without the prefix) that the checkpoint may lack
   */
  public static void load(
      Ops ops, Module module, Weights weights, String prefix, Predicate<String> ignorable,
      Predicate<String> optional) {
    Map<String, Shape> params = module.parameterShapes();
    List<String> problems = new ArrayList<>();
    Set<String> unused = new LinkedHashSet<>(weights.names());
    for (Map.Entry<String, Shape> e : params.entrySet()) {
      String file = prefix + e.getKey();
      if (!weights.contains(file)) {
        if (!optional.test(e.getKey())) {
          problems.add("missing tensor '" + file + "' of shape " + e.getValue());
        }
        continue;
      }
      unused.remove(file);
      Shape found = weights.shape(file);
      if (!found.equals(e.getValue())) {
        problems.add(
            "tensor '" + file + "': expected shape " + e.getValue() + " but the checkpoint has "
                + found);
      }
    }
    for (String name : unused) {
      if (!ignorable.test(name)) {
        problems.add("unexpected tensor '" + name + "' of shape " + weights.shape(name));
      }
    }
    if (!problems.isEmpty()) {
      int shown = Math.min(MAX_LISTED, problems.size());
      throw new IllegalArgumentException(
          "checkpoint does not fit " + module.getClass().getSimpleName() + " (" + problems.size()
              + " problem" + (problems.size() == 1 ? "" : "s") + "): "
              + String.join("; ", problems.subList(0, shown))
              + (shown < problems.size() ? "; ... " + (problems.size() - shown) + " more" : ""));
    }
    for (Map.Entry<String, Shape> e : params.entrySet()) {
      String file = prefix + e.getKey();
      if (weights.contains(file)) {
        float[] values = weights.floats(file);
        requireFinite(weights, file, values);
        module.setParameter(e.getKey(), ops.tensor(values, e.getValue().dims()));
      }
    }
  }

  /**
   * Refuses a tensor holding NaN or an infinity: such a checkpoint (a diverged run, a corrupt
   * download) generates garbage (all token 0) with no error. One pass over values just converted
   * costs little next to the conversion.
   */
  private static void requireFinite(Weights weights, String name, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new IllegalArgumentException(
            weights + ": tensor '" + name + "' holds " + values[i] + " at element " + i + " of "
                + values.length + "; the checkpoint is corrupt or from a diverged run");
      }
    }
  }

  /**
   * The prefix under which {@code weights} stores {@code anchor}: {@code ""} when it is stored as
   * is, else the first of {@code candidates} that makes it present (Hugging Face stores a bare
   * model as {@code wte.weight} and a model with a head as {@code transformer.wte.weight}).
   *
   * @throws IllegalArgumentException naming the anchor when no candidate fits
   */
  public static String detectPrefix(Weights weights, String anchor, String... candidates) {
    if (weights.contains(anchor)) {
      return "";
    }
    for (String c : candidates) {
      if (weights.contains(c + anchor)) {
        return c;
      }
    }
    List<String> tried = new ArrayList<>();
    tried.add("'" + anchor + "'");
    for (String c : candidates) {
      tried.add("'" + c + anchor + "'");
    }
    throw new IllegalArgumentException(
        "checkpoint has none of " + String.join(", ", tried) + "; it holds "
            + weights.names().size() + " tensors, e.g. " + weights.names().stream().limit(5).toList());
  }
}
