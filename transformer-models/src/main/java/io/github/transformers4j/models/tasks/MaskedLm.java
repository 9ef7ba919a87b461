package io.github.transformers4j.models.tasks;

import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.PretrainedModel;

/** An encoder with a masked-language-model head (BERT, RoBERTa, ...). */
public interface MaskedLm extends PretrainedModel {

  /**
   * Vocabulary logits (B, T, V) at every position.
   *
   * @param ids (B·T) row-major ids
   * @param attentionMask (B·T) 1 for a token, 0 for padding; null when nothing is padded
   */
  Tensor logits(int[] ids, int[] attentionMask, int batch);

  /** The most positions a sequence may hold. */
  int maxPositions();
}
