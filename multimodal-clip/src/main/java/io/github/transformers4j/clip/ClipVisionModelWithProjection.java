package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.Weights;
import java.util.SplittableRandom;

/**
 * The image tower with its projection alone, Hugging Face's {@code CLIPVisionModelWithProjection}:
 * {@code vision_model.*} and {@code visual_projection.weight} (P, D), P being the vision config's
 * own {@code projection_dim}.
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
 */
public final class ClipVisionModelWithProjection extends AbstractModule implements PretrainedModel {
  private final ClipVisionTransformer visionModel;
  private final Linear visualProjection;

  /** A tower with weights from {@code seed}, the attention variant by name from the registry. */
  public ClipVisionModelWithProjection(Ops ops, ClipVisionConfig c, String attention, long seed) {
    super(ops);
    SplittableRandom rng = new SplittableRandom(seed);
    this.visionModel =
        child("vision_model", new ClipVisionTransformer(ops, c, Plugins.attentions().forName(attention), rng));
    int w = c.hiddenSize();
    this.visualProjection =
        child(
            "visual_projection",
            new Linear(ops, w, c.projectionDim(), Linear.Layout.OUT_IN, false, rng,
                Math.pow(w, -0.5) * c.initializerFactor()));
  }

  @Override
  public String architecture() {
    return ClipVisionTransformer.ARCHITECTURE;
  }

  /** The tower. */
  public ClipVisionTransformer visionModel() {
    return visionModel;
  }

  /** Projected features (B, P), not normalized, of pixels (B, C, H, W). */
  public Tensor encode(Tensor pixels) {
    return visualProjection.forward(visionModel.pooled(pixels));
  }

  @Override
  public void load(Weights weights) {
    WeightLoader.load(ops, this, weights, "", n -> n.endsWith("position_ids"));
  }
}
