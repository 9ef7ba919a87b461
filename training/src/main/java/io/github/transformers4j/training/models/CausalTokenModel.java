package io.github.transformers4j.training.models;

import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.training.objectives.TokenModel;

/**
 * A causal LM the char recipe trains and then decodes, whatever its architecture (the GPT, or a
 * recurrent baseline): the trainer's view ({@link TokenModel}) and the generator's ({@link
 * #lm()}) of one model.
 */
public interface CausalTokenModel extends TokenModel {

  /** The model as the generator and the task API see it. */
  CausalLm lm();

  /** The model as a module tree (dropout switch, quantization, weight bytes). */
  AbstractModule module();
}
