package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;

/** A model with one output row per sequence: an encoder with a classification head. */
public interface SequenceModel extends Trainable {

  /**
   * The class logits of each sequence.
   *
   * @param ids (B, T) I32 token ids
   * @param mask (B, T) I32, 1 for real tokens, or null
   * @return (B, K) logits
   */
  Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass);
}
