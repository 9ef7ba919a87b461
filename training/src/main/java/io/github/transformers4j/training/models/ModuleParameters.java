package io.github.transformers4j.training.models;

import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Module;
import io.github.transformers4j.training.optim.Parameter;
import io.github.transformers4j.training.optim.ParameterSet;
import java.util.Map;

/**
 * The parameters of an {@code api.nn.Module} as a {@link ParameterSet}: each {@link Parameter}
 * writes its new value back through {@link Module#setParameter}, so an optimizer step or a
 * checkpoint load updates the module that the next forward reads.
 */
public final class ModuleParameters {
  private ModuleParameters() {}

  /** The parameters of {@code module}, in its registration order, kinds guessed from names. */
  public static ParameterSet of(Module module) {
    ParameterSet set = new ParameterSet();
    for (Map.Entry<String, Tensor> e : module.parameters().entrySet()) {
      String name = e.getKey();
      set.add(Parameter.of(name, e.getValue(), t -> module.setParameter(name, t)));
    }
    return set;
  }
}
