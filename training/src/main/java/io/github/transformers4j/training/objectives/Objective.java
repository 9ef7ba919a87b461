package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.data.Batch;

/**
 * A training objective: the scalar loss of a model on a batch. Objectives are found by name through
 * {@link io.github.transformers4j.training.spi.ObjectiveProvider}.
 */
public interface Objective {

  /** The registered name ({@code clm}, {@code mlm}, {@code seq2seq}, ...). */
  String name();

  /**
   * The loss of {@code model} on {@code batch}, recorded on the open tape when the parameters are
   * watched.
   *
   * @throws IllegalArgumentException when the model is not of the kind this objective trains or the
   *     batch lacks a field it needs
   */
  Loss loss(Ops ops, Trainable model, Batch batch, Forward pass);

  /**
   * A loss value and what it averages over.
   *
   * @param value the scalar loss tensor (mean over {@code count} predictions)
   * @param count number of predictions that count in the loss (for weighting averages)
   * @param correct number of those the model predicts right (argmax), or -1 when not computed
   */
  record Loss(Tensor value, long count, long correct) {}

  /** Casts {@code model} to {@code type}, failing with both names when it is not one. */
  static <M> M require(String objective, Trainable model, Class<M> type) {
    if (!type.isInstance(model)) {
      throw new IllegalArgumentException(
          objective
              + ": needs a "
              + type.getSimpleName()
              + ", got "
              + model.getClass().getSimpleName());
    }
    return type.cast(model);
  }
}
