package io.github.transformers4j.models.tasks;

import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.nn.PretrainedModel;

/** A decoder-only language model (GPT-2, OPT, ...): prompts are continued by the generator. */
public interface CausalLm extends PretrainedModel {

  /** A fresh decoding session (an empty KV cache). */
  DecodingSession session();

  /** The vocabulary size V of the logits. */
  int vocabSize();

  /** The most positions a row may hold, prompt and continuation together. */
  int maxPositions();
}
