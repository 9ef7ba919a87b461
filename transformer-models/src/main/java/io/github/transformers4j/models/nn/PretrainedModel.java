package io.github.transformers4j.models.nn;

import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.models.weights.Weights;

/**
 * A {@link Model} that takes its parameters from a checkpoint by Hugging Face's names, so that
 * {@link io.github.transformers4j.models.pretrained.Pretrained} can load any registered family
 * from a model folder.
 */
public interface PretrainedModel extends Model {

  /**
   * Replaces every parameter with the checkpoint's tensor of the same name.
   *
   * @throws IllegalArgumentException naming every missing, unexpected or wrongly shaped tensor;
   *     nothing is replaced unless all fit
   */
  void load(Weights weights);
}
