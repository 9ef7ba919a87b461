package io.github.transformers4j.training.models;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.layers.AttentionMasks;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.training.optim.ParameterSet;

/**
 * A {@link Gpt2Model} as a causal {@link io.github.transformers4j.training.objectives.TokenModel}: positions 0..T−1, the padding mask as an
 * additive key mask, dropout switched on in training passes with the pass seed, logits by the tied
 * head.
 */
public final class GptLm implements CausalTokenModel {
  private final Gpt2Model model;
  private final ParameterSet params;

  /** The adapter over {@code model}. */
  public GptLm(Gpt2Model model) {
    this.model = model;
    this.params = ModuleParameters.of(model);
  }

  /** The wrapped model. */
  public Gpt2Model model() {
    return model;
  }

  @Override
  public CausalLm lm() {
    return model;
  }

  @Override
  public AbstractModule module() {
    return model;
  }

  @Override
  public ParameterSet parameterSet() {
    return params;
  }

  @Override
  public Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass) {
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    model.train(pass.training(), pass.seed());
    Tensor additive = mask == null ? null : AttentionMasks.padding(ops, mask.toIntArray(), b, t);
    Tensor hidden = model.hidden(ids, ops.positions(b, t), additive, null); // (B, T, C)
    return model.head().logits(hidden); // (B, T, V)
  }
}
