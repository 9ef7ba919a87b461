package io.github.transformers4j.clip.training;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.clip.ClipModel;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.data.Pixels;
import io.github.transformers4j.training.models.ModuleParameters;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.Trainable;
import io.github.transformers4j.training.optim.ParameterSet;

/**
 * A {@link ClipModel} as the trainer sees it: every parameter under its Hugging Face name ({@code
 * logit_scale} included), and the two towers' projected features of a batch of paired images and
 * texts.
 */
public final class ClipTrainable implements Trainable {
  private final ClipModel model;
  private final ParameterSet params;

  /** The adapter over {@code model}. */
  public ClipTrainable(ClipModel model) {
    this.model = model;
    this.params = ModuleParameters.of(model);
  }

  /** The wrapped model. */
  public ClipModel model() {
    return model;
  }

  @Override
  public ParameterSet parameterSet() {
    return params;
  }

  /** Projected, not normalized, features of a batch's images and texts, row i paired with row i. */
  public record Features(Tensor image, Tensor text) {}

  /**
   * The projected features of {@code batch}: images from {@code batch.pixels()} (B, C, H, W),
   * texts from {@code batch.inputs()} (B, T) padded with {@code batch.mask()}; dropout on in a
   * training pass (CLIP's configs have none by default).
   *
   * @throws IllegalArgumentException naming the field the batch lacks
   */
  public Features features(Ops ops, Batch batch, Forward pass) {
    if (batch.pixels() == null) {
      throw new IllegalArgumentException("contrastive: the batch has no images (Batch.pixels)");
    }
    if (batch.inputs() == null) {
      throw new IllegalArgumentException("contrastive: the batch has no texts (Batch.inputs)");
    }
    model.train(pass.training(), pass.seed());
    Pixels p = batch.pixels();
    Tensor pixels = ops.tensor(p.data(), p.batch(), p.channels(), p.height(), p.width());
    IntGrid in = batch.inputs();
    Tensor ids = ops.ids(in.data(), in.rows(), in.cols());
    Tensor mask = batch.mask() == null ? null : ops.ids(batch.mask().data(), in.rows(), in.cols());
    return new Features(model.encodeImage(ops, pixels), model.encodeText(ops, ids, mask));
  }
}
