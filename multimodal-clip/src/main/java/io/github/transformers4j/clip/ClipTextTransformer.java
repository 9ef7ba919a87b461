package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.AttentionMasks;
import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.Weights;
import java.util.SplittableRandom;

/**
 * CLIP's text tower (Radford et al. 2021, §2.4): {@code h₀ = token_embedding[ids] +
 * position_embedding[0..T)}, pre-LN layers under a causal mask (and the padding mask, as Hugging
 * Face applies it), {@code final_layer_norm}, then the pooled state at the end-of-text token. Names
 * are Hugging Face's {@code CLIPTextModel} names ({@code embeddings.token_embedding.weight}, {@code
 * encoder.layers.0.self_attn.q_proj.weight}, ..., {@code final_layer_norm.bias}); inside a {@code
 * CLIPModel} they sit under {@code text_model.}.
 *
 * <p>Pooling: each row is read at the first position holding {@code eos_token_id} (CLIP pads with
 * the end-of-text id, so the first one is the real end). A config with {@code eos_token_id} 2 is
 * one written before Hugging Face fixed that field, and is pooled, as Hugging Face still does for
 * it, at the position of the row's highest id (in OpenAI's vocabulary, the end-of-text token).
 */
public final class ClipTextTransformer extends AbstractModule implements PretrainedModel {
  /** The registry name (Hugging Face's {@code model_type} of a text tower's folder). */
  public static final String ARCHITECTURE = "clip_text_model";

  private final ClipTextConfig config;
  private final Embedding tokenEmbedding;
  private final Embedding positionEmbedding;
  private final ClipEncoder encoder;
  private final LayerNorm finalLayerNorm;

  /** A tower with weights from {@code seed}, the attention variant by name from the registry. */
  public ClipTextTransformer(Ops ops, ClipTextConfig config, String attention, long seed) {
    this(ops, config, Plugins.attentions().forName(attention), new SplittableRandom(seed));
  }

  ClipTextTransformer(
      Ops ops, ClipTextConfig c, AttentionProvider attention, SplittableRandom rng) {
    super(ops);
    this.config = c;
    double f = c.initializerFactor();
    int w = c.hiddenSize();
    this.tokenEmbedding =
        child("embeddings.token_embedding", new Embedding(ops, c.vocabSize(), w, rng, 0.02 * f));
    this.positionEmbedding =
        child(
            "embeddings.position_embedding",
            new Embedding(ops, c.maxPositionEmbeddings(), w, rng, 0.02 * f));
    this.encoder =
        child(
            "encoder",
            new ClipEncoder(
                ops, w, c.numAttentionHeads(), c.intermediateSize(), c.numHiddenLayers(),
                c.hiddenAct(), c.layerNormEps(), c.attentionDropout(), f, attention, rng));
    this.finalLayerNorm = child("final_layer_norm", new LayerNorm(ops, w, c.layerNormEps()));
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }

  /** The configuration. */
  public ClipTextConfig config() {
    return config;
  }

  /**
   * The last hidden state, after {@code final_layer_norm}.
   *
   * @param ids (B, T) I32 token ids, T at most {@code max_position_embeddings}
   * @param mask (B, T) I32, 1 for tokens and 0 for padding, or null when nothing is padded
   * @return (B, T, C)
   */
  public Tensor hidden(Tensor ids, Tensor mask) {
    if (ids.rank() != 2) {
      throw new IllegalArgumentException("text: ids must be (B, T), got " + ids.shape());
    }
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    if (t > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "text of " + t + " tokens exceeds max_position_embeddings "
              + config.maxPositionEmbeddings() + " (truncate it, keeping the final end-of-text id)");
    }
    Tensor additive = null;
    if (mask != null) {
      if (!mask.shape().equals(ids.shape())) {
        throw new IllegalArgumentException(
            "text: attention mask " + mask.shape() + " does not match ids " + ids.shape());
      }
      additive = AttentionMasks.padding(ops, mask.toIntArray(), b, t); // (B, 1, 1, T)
    }
    // (B, T, C) + (1, T, C)
    Tensor x = ops.add(tokenEmbedding.forward(ids), positionEmbedding.forward(ops.positions(1, t)));
    x = encoder.forward(x, additive, true);
    return finalLayerNorm.forward(x);
  }

  /**
   * The pooled text features (B, C): the last hidden state at each row's end-of-text token (see
   * the class comment).
   *
   * @throws IllegalArgumentException naming the row that holds no {@code eos_token_id}
   */
  public Tensor pooled(Tensor ids, Tensor mask) {
    Tensor h = hidden(ids, mask); // (B, T, C)
    int b = h.shape().dim(0);
    int t = h.shape().dim(1);
    int[] at = poolPositions(ids.toIntArray(), b, t, config.eosTokenId());
    int[] rows = new int[b];
    for (int r = 0; r < b; r++) {
      rows[r] = r * t + at[r];
    }
    // A row gather with a gradient: the (B·T, C) states as a table, looked up at B rows.
    return ops.embedding(ops.reshape(h, b * t, config.hiddenSize()), ops.ids(rows, b));
  }

  /** The position each row is pooled at (see the class comment); ids (B·T) row-major. */
  static int[] poolPositions(int[] ids, int b, int t, int eos) {
    int[] at = new int[b];
    for (int r = 0; r < b; r++) {
      int found = -1;
      if (eos == 2) {
        int best = Integer.MIN_VALUE;
        for (int i = 0; i < t; i++) {
          if (ids[r * t + i] > best) {
            best = ids[r * t + i];
            found = i;
          }
        }
      } else {
        for (int i = 0; i < t && found < 0; i++) {
          if (ids[r * t + i] == eos) {
            found = i;
          }
        }
      }
      if (found < 0) {
        throw new IllegalArgumentException(
            "text row " + r + " holds no end-of-text id " + eos + " (eos_token_id); CLIP pools"
                + " there, so every text must end with it (the CLIP tokenizer adds it)");
      }
      at[r] = found;
    }
    return at;
  }

  /**
   * Loads a text tower's checkpoint: a {@code CLIPTextModel} folder's ({@code embeddings...}) or
   * the tower inside a {@code CLIPTextModelWithProjection} ({@code text_model.embeddings...}, its
   * projection skipped); old checkpoints' {@code position_ids} buffers are skipped.
   */
  @Override
  public void load(Weights weights) {
    String prefix =
        WeightLoader.detectPrefix(weights, "embeddings.token_embedding.weight", "text_model.");
    WeightLoader.load(
        ops, this, weights, prefix,
        n -> n.endsWith("position_ids") || n.equals("text_projection.weight"));
  }
}
