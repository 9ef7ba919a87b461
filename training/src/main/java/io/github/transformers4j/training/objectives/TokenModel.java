package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;

/**
 * A model with one output row per input token: a causal LM (decoder), a masked LM (encoder with an
 * LM head) or a token classifier (encoder with a tagging head).
 */
public interface TokenModel extends Trainable {

  /**
   * The logits of every position.
   *
   * @param ids (B, T) I32 token ids
   * @param mask (B, T) I32, 1 for real tokens and 0 for padding, or null when nothing is padded
   * @return (B, T, V) logits (V the vocabulary or the number of tags)
   */
  Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass);
}
