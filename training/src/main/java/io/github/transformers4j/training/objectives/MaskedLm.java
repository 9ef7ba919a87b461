package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.Rng;

/**
 * Masked language modelling (BERT): {@link MlmMasker} masks the inputs with randomness from the
 * pass seed, and the loss is the cross-entropy at the selected positions only.
 */
public final class MaskedLm implements Objective {
  private final MlmMasker masker;

  /** The objective masking with {@code masker}. */
  public MaskedLm(MlmMasker masker) {
    this.masker = masker;
  }

  @Override
  public String name() {
    return "mlm";
  }

  /**
   * The labels (−100 where not masked) that {@link #loss} uses for {@code batch} in {@code pass}.
   */
  public int[] labels(Batch batch, Forward pass) {
    return masker.apply(batch.inputs(), batch.mask(), Rng.derive(pass.seed(), 7)).labels();
  }

  @Override
  public Loss loss(Ops ops, Trainable model, Batch batch, Forward pass) {
    TokenModel m = Objective.require("mlm", model, TokenModel.class);
    MlmMasker.Masked masked =
        masker.apply(batch.inputs(), batch.mask(), Rng.derive(pass.seed(), 7));
    var in = masked.inputs();
    Tensor logits =
        m.forward(ops, Losses.ids(ops, in), Losses.ids(ops, batch.mask()), pass); // (B, T, V)
    Tensor targets = ops.ids(masked.labels(), in.rows(), in.cols());
    Tensor loss = ops.crossEntropy(logits, targets, Losses.IGNORE, 0f);
    return new Loss(loss, masked.selected(), Losses.correct(logits, masked.labels()));
  }
}
