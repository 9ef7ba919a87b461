package io.github.transformers4j.api.nn;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something that owns trainable parameters under stable names: the names are the checkpoint
 * names (Hugging Face's for the standard architectures), so loading and saving is name for name.
 *
 * <p>Tensors are values, so a parameter is updated by replacing it ({@link #setParameter}), which
 * is what loading a checkpoint and an optimizer step both do.
 */
public interface Module {

  /**
   * Every parameter under its dotted name ({@code h.0.attn.c_attn.weight}), in registration order.
   * A snapshot: later replacements are not reflected in a map returned earlier.
   */
  Map<String, Tensor> parameters();

  /**
   * The shape of every parameter, named and ordered as {@link #parameters()}, without making a
   * value that does not exist yet (a module may defer its initialization until the first read, so
   * that loading a checkpoint into it allocates each weight once).
   */
  default Map<String, Shape> parameterShapes() {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    parameters().forEach((n, t) -> shapes.put(n, t.shape()));
    return shapes;
  }

  /**
   * Replaces parameter {@code name} by {@code value}, which must have the parameter's shape.
   *
   * @throws IllegalArgumentException naming the parameter for an unknown name, or naming it with
   *     the expected and the found shape
   */
  void setParameter(String name, Tensor value);
}
