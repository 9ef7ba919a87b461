package io.github.transformers4j.training.objectives;

import io.github.transformers4j.training.optim.ParameterSet;

/** A model the trainer can optimize: it exposes its parameters by name. */
public interface Trainable {

  /**
   * The trainable parameters, in a fixed order; the model reads its weights from them. (Not {@code
   * parameters()}, which {@code api.nn.Module} already names, with another type.)
   */
  ParameterSet parameterSet();
}
