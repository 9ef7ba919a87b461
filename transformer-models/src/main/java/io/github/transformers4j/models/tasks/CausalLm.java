package io.github.transformers4j.models.tasks;

import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.nn.PretrainedModel;

/** A decoder-only language model (GPT-2, OPT, ...): prompts are continued by the generator. */
public interface CausalLm extends PretrainedModel {

  /**
   * Next-token logits (B, T, V) at every position, for training and scoring (teacher forcing).
   *
   * @param ids (B·T) row-major ids
   * @param attentionMask (B·T) 1 for a token, 0 for padding (right padding); null when nothing is
   *     padded
   */
  Tensor logits(int[] ids, int[] attentionMask, int batch);

  /** A fresh decoding session (an empty KV cache). */
  DecodingSession session();

  /** The vocabulary size V of the logits. */
  int vocabSize();

  /** The most positions a row may hold, prompt and continuation together. */
  int maxPositions();
}
