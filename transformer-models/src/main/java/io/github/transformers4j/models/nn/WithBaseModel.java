package io.github.transformers4j.models.nn;

/**
 * A task model built around a base model (Hugging Face's {@code base_model}: the encoder under a
 * classification head, say), so that a folder saved with a head can still be loaded as the bare
 * base model: {@code Pretrained.load(ops, dir, BertModel.class)} on a {@code BertForMaskedLM}
 * folder loads the whole checkpoint and returns its encoder.
 */
public interface WithBaseModel {

  /** The base model, whose parameters are this model's, shared. */
  PretrainedModel baseModel();
}
