package io.github.transformers4j.models.nn;

import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.models.weights.Weights;

/**
 * A {@link Model} that takes its parameters from a checkpoint by Hugging Face's names, so that
 * {@link io.github.transformers4j.models.pretrained.Pretrained} can load any registered family
 * from a model folder.
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
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
