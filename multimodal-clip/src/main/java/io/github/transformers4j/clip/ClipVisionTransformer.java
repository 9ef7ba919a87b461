package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.Weights;
import java.util.List;
import java.util.SplittableRandom;

/**
 * CLIP's image tower, a ViT (Dosovitskiy et al. 2021): patch embeddings behind a learned class
 * token, learned positions, {@code pre_layrnorm} (Hugging Face's spelling, kept as OpenAI's {@code
 * ln_pre}), pre-LN layers without a mask, and {@code post_layernorm} on the class token's final
 * state. Names are Hugging Face's {@code CLIPVisionModel} names ({@code embeddings.class_embedding},
 * {@code embeddings.patch_embedding.weight}, {@code embeddings.position_embedding.weight}, ...);
 * inside a {@code CLIPModel} they sit under {@code vision_model.}.
 */
public final class ClipVisionTransformer extends AbstractModule implements PretrainedModel {
  /** The registry name (Hugging Face's {@code model_type} of a vision tower's folder). */
  public static final String ARCHITECTURE = "clip_vision_model";

  private final ClipVisionConfig config;
  private final Embeddings embeddings;
  private final LayerNorm preLayrnorm;
  private final ClipEncoder encoder;
  private final LayerNorm postLayernorm;

  /** Class token, patches and positions: Hugging Face's {@code CLIPVisionEmbeddings}. */
  static final class Embeddings extends AbstractModule {
    private final Parameter classEmbedding;
    private final PatchEmbedding patchEmbedding;
    private final Embedding positionEmbedding;

    Embeddings(Ops ops, ClipVisionConfig c, SplittableRandom rng) {
      super(ops);
      double f = c.initializerFactor();
      int w = c.hiddenSize();
      this.classEmbedding = normal("class_embedding", rng, Math.pow(w, -0.5) * f, w);
      this.patchEmbedding =
          child(
              "patch_embedding",
              new PatchEmbedding(
                  ops, c.numChannels(), w, c.patchSize(), rng, c.initializerRange() * f));
      this.positionEmbedding =
          child(
              "position_embedding",
              new Embedding(ops, c.positions(), w, rng, c.initializerRange() * f));
    }

    /** {@code pixels} (B, C, H, W) → (B, 1 + N, D). */
    Tensor forward(Tensor pixels) {
      Tensor patches = patchEmbedding.forward(pixels); // (B, N, D)
      int b = patches.shape().dim(0);
      int d = patches.shape().dim(2);
      // The class token broadcast to every row: (1, 1, D) + zeros (B, 1, D) -> (B, 1, D).
      Tensor cls = ops.add(ops.zeros(b, 1, d), ops.reshape(classEmbedding.get(), 1, 1, d));
      Tensor x = ops.concat(List.of(cls, patches), 1); // (B, 1 + N, D)
      return ops.add(x, positionEmbedding.weight()); // + (1 + N, D)
    }
  }

  /** A tower with weights from {@code seed}, the attention variant by name from the registry. */
  public ClipVisionTransformer(Ops ops, ClipVisionConfig config, String attention, long seed) {
    this(ops, config, Plugins.attentions().forName(attention), new SplittableRandom(seed));
  }

  ClipVisionTransformer(
      Ops ops, ClipVisionConfig c, AttentionProvider attention, SplittableRandom rng) {
    super(ops);
    this.config = c;
    int w = c.hiddenSize();
    this.embeddings = child("embeddings", new Embeddings(ops, c, rng));
    this.preLayrnorm = child("pre_layrnorm", new LayerNorm(ops, w, c.layerNormEps()));
    this.encoder =
        child(
            "encoder",
            new ClipEncoder(
                ops, w, c.numAttentionHeads(), c.intermediateSize(), c.numHiddenLayers(),
                c.hiddenAct(), c.layerNormEps(), c.attentionDropout(), c.initializerFactor(),
                attention, rng));
    this.postLayernorm = child("post_layernorm", new LayerNorm(ops, w, c.layerNormEps()));
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }

  /** The configuration. */
  public ClipVisionConfig config() {
    return config;
  }

  /**
   * The last hidden state (before {@code post_layernorm}, as Hugging Face's {@code
   * last_hidden_state}).
   *
   * @param pixels (B, C, H, W) F32, normalized, H = W = {@code image_size}
   * @return (B, 1 + N, D): the class token, then the N patches in row-major order
   */
  public Tensor hidden(Tensor pixels) {
    int s = config.imageSize();
    if (pixels.rank() != 4
        || pixels.shape().dim(1) != config.numChannels()
        || pixels.shape().dim(2) != s
        || pixels.shape().dim(3) != s) {
      throw new IllegalArgumentException(
          "image: pixels must be (B, " + config.numChannels() + ", " + s + ", " + s
              + ") (vision_config num_channels, image_size), got " + pixels.shape());
    }
    Tensor x = preLayrnorm.forward(embeddings.forward(pixels));
    return encoder.forward(x, null, false);
  }

  /** The pooled image features (B, D): {@code post_layernorm} of the class token's last state. */
  public Tensor pooled(Tensor pixels) {
    Tensor h = hidden(pixels); // (B, 1 + N, D)
    int b = h.shape().dim(0);
    Tensor cls = ops.reshape(ops.slice(h, 1, 0, 1), b, config.hiddenSize()); // (B, D)
    return postLayernorm.forward(cls);
  }

  /**
   * Loads a vision tower's checkpoint: a {@code CLIPVisionModel} folder's ({@code embeddings...})
   * or the tower inside a {@code CLIPVisionModelWithProjection} ({@code vision_model.}, its
   * projection skipped); old checkpoints' {@code position_ids} buffers are skipped.
   */
  @Override
  public void load(Weights weights) {
    String prefix =
        WeightLoader.detectPrefix(weights, "embeddings.class_embedding", "vision_model.");
    WeightLoader.load(
        ops, this, weights, prefix,
        n -> n.endsWith("position_ids") || n.equals("visual_projection.weight"));
  }
}
