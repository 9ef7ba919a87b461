package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.data.Batch;

/** Sequence classification: cross-entropy of the (B, K) logits against one label per row. */
public final class SequenceClassification implements Objective {

  @Override
  public String name() {
    return "classify";
  }

  @Override
  public Loss loss(Ops ops, Trainable model, Batch batch, Forward pass) {
    SequenceModel m = Objective.require("classify", model, SequenceModel.class);
    if (batch.targets() == null || batch.targets().cols() != 1) {
      throw new IllegalArgumentException(
          "classify: the batch needs one label per row (targets (B, 1)), got "
              + (batch.targets() == null ? "none" : "(B, " + batch.targets().cols() + ")"));
    }
    Tensor logits =
        m.forward(ops, Losses.ids(ops, batch.inputs()), Losses.ids(ops, batch.mask()), pass);
    int[] labels = batch.targets().data();
    Tensor loss = ops.crossEntropy(logits, ops.ids(labels, labels.length), Losses.IGNORE, 0f);
    return new Loss(loss, Losses.counted(labels), Losses.correct(logits, labels));
  }
}
