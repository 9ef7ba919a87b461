package io.github.transformers4j.training.models;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.rnn.RecurrentLm;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.optim.ParameterSet;

/**
 * A {@link RecurrentLm} as a causal {@link io.github.transformers4j.training.objectives.TokenModel}:
 * every row from a zero state (each training block is read on its own, as the GPT reads it), a
 * right-padding mask as row lengths, dropout on in training passes with the pass seed.
 */
public final class RecurrentTokenLm implements CausalTokenModel {
  private final RecurrentLm model;
  private final ParameterSet params;

  /** The adapter over {@code model}. */
  public RecurrentTokenLm(RecurrentLm model) {
    this.model = model;
    this.params = ModuleParameters.of(model);
  }

  /** The wrapped model. */
  public RecurrentLm model() {
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
    int[] lengths = null;
    if (mask != null) {
      int[] m = mask.toIntArray();
      lengths = new int[b];
      boolean padded = false;
      for (int r = 0; r < b; r++) {
        int n = 0;
        for (int i = 0; i < t; i++) {
          n += m[r * t + i] != 0 ? 1 : 0;
        }
        lengths[r] = Math.max(1, n); // an all-padding row adds nothing to the loss
        padded |= n < t;
      }
      lengths = padded ? lengths : null;
    }
    return model.forward(ids, null, lengths).logits(); // (B, T) -> (B, T, V)
  }
}
