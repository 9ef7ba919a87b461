package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.IntGrid;

/**
 * Causal language modelling: from inputs (B, L) the model reads positions 0..L−2 and each position
 * predicts the next token (labels shifted left by one); padded positions are ignored.
 */
public final class CausalLm implements Objective {
  private final boolean accuracy;

  /** The objective; {@code accuracy} also counts argmax hits (costs a host copy of the logits). */
  public CausalLm(boolean accuracy) {
    this.accuracy = accuracy;
  }

  @Override
  public String name() {
    return "clm";
  }

  @Override
  public Loss loss(Ops ops, Trainable model, Batch batch, Forward pass) {
    TokenModel m = Objective.require("clm", model, TokenModel.class);
    IntGrid in = batch.inputs();
    if (in.cols() < 2) {
      throw new IllegalArgumentException("clm: inputs need at least 2 tokens, got " + in.cols());
    }
    int t = in.cols() - 1;
    IntGrid x = in.columns(0, t);
    int[] y = in.columns(1, t + 1).data().clone();
    IntGrid xm = null;
    if (batch.mask() != null) {
      xm = batch.mask().columns(0, t);
      int[] ym = batch.mask().columns(1, t + 1).data();
      for (int i = 0; i < y.length; i++) {
        if (ym[i] == 0) {
          y[i] = Losses.IGNORE;
        }
      }
    }
    Tensor logits = m.forward(ops, Losses.ids(ops, x), Losses.ids(ops, xm), pass); // (B, T, V)
    Tensor targets = ops.ids(y, in.rows(), t);
    Tensor loss = ops.crossEntropy(logits, targets, Losses.IGNORE, 0f);
    long correct = accuracy ? Losses.correct(logits, y) : -1;
    return new Loss(loss, Losses.counted(y), correct);
  }
}
