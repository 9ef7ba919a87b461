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
 * The text tower with its projection alone, Hugging Face's {@code CLIPTextModelWithProjection}:
 * {@code text_model.*} and {@code text_projection.weight} (P, C), P being the text config's own
 * {@code projection_dim}. Its features equal a {@link ClipModel}'s text features when both hold
 * the same weights.
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
 */
public final class ClipTextModelWithProjection extends AbstractModule implements PretrainedModel {
  private final ClipTextTransformer textModel;
  private final Linear textProjection;

  /** A tower with weights from {@code seed}, the attention variant by name from the registry. */
  public ClipTextModelWithProjection(Ops ops, ClipTextConfig c, String attention, long seed) {
    super(ops);
    SplittableRandom rng = new SplittableRandom(seed);
    this.textModel =
        child("text_model", new ClipTextTransformer(ops, c, Plugins.attentions().forName(attention), rng));
    int w = c.hiddenSize();
    this.textProjection =
        child(
            "text_projection",
            new Linear(ops, w, c.projectionDim(), Linear.Layout.OUT_IN, false, rng,
                Math.pow(w, -0.5) * c.initializerFactor()));
  }

  @Override
  public String architecture() {
    return ClipTextTransformer.ARCHITECTURE;
  }

  /** The tower. */
  public ClipTextTransformer textModel() {
    return textModel;
  }

  /** Projected features (B, P), not normalized, of ids (B, T) with an optional padding mask. */
  public Tensor encode(Tensor ids, Tensor mask) {
    return textProjection.forward(textModel.pooled(ids, mask));
  }

  @Override
  public void load(Weights weights) {
    WeightLoader.load(ops, this, weights, "", n -> n.endsWith("position_ids"));
  }
}
