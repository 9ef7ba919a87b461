package io.github.transformers4j.models.tasks;

import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.PretrainedModel;
import java.util.List;

/** An encoder with a token-classification head (NER, part-of-speech tagging). */
public interface TokenClassifier extends PretrainedModel {

  /**
   * Class logits (B, T, L) at every position.
   *
   * @param ids (B·T) row-major ids
   * @param attentionMask (B·T) 1 for a token, 0 for padding; null when nothing is padded
   */
  Tensor logits(int[] ids, int[] attentionMask, int batch);

  /** The label of each class, by index ({@code id2label}; {@code LABEL_i} when absent). */
  List<String> labels();

  /** The most positions a sequence may hold. */
  int maxPositions();
}
