package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.data.Batch;

/**
 * Token classification (NER): cross-entropy of the (B, T, K) logits against one tag per token;
 * positions labelled -100 (padding, continuation pieces) are ignored.
 */
public final class TokenClassification implements Objective {

  @Override
  public String name() {
    return "tokens";
  }

  @Override
  public Loss loss(Ops ops, Trainable model, Batch batch, Forward pass) {
    TokenModel m = Objective.require("tokens", model, TokenModel.class);
    var in = batch.inputs();
    if (batch.targets() == null
        || batch.targets().rows() != in.rows()
        || batch.targets().cols() != in.cols()) {
      throw new IllegalArgumentException(
          "tokens: the batch needs one label per input token (("
              + in.rows()
              + ", "
              + in.cols()
              + ")), got "
              + (batch.targets() == null
                  ? "none"
                  : "(" + batch.targets().rows() + ", " + batch.targets().cols() + ")"));
    }
    Tensor logits = m.forward(ops, Losses.ids(ops, in), Losses.ids(ops, batch.mask()), pass);
    int[] labels = batch.targets().data();
    Tensor loss =
        ops.crossEntropy(logits, ops.ids(labels, in.rows(), in.cols()), Losses.IGNORE, 0f);
    return new Loss(loss, Losses.counted(labels), Losses.correct(logits, labels));
  }
}
