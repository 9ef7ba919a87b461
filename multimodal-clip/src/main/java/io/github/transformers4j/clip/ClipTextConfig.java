package io.github.transformers4j.clip;

import io.github.transformers4j.models.config.ConfigReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text tower of CLIP, validated at construction; fields follow Hugging Face's {@code
 * CLIPTextConfig} ({@code text_config} of a {@code CLIPModel}, or the whole {@code config.json} of
 * a {@code CLIPTextModel}).
 *
 * @param vocabSize V (49,408 for OpenAI's BPE)
 * @param hiddenSize the width C
 * @param intermediateSize the feed-forward width
 * @param numHiddenLayers the number of encoder layers
 * @param numAttentionHeads nh; C must be divisible by it
 * @param maxPositionEmbeddings the longest text in tokens (77)
 * @param hiddenAct the feed-forward nonlinearity by Hugging Face's name ({@code quick_gelu}, {@code
 *     gelu}, ...)
 * @param layerNormEps eps of every LayerNorm
 * @param attentionDropout dropout on the attention probabilities (training only)
 * @param bosTokenId {@code <|startoftext|>}
 * @param eosTokenId {@code <|endoftext|>}: the text is pooled at its first occurrence (at the
 *     highest id when it is 2, Hugging Face's legacy rule)
 * @param padTokenId the padding id (CLIP pads with the EOS id)
 * @param projectionDim the sub-config's own projection width; only {@code CLIPTextModelWithProjection}
 *     uses it ({@code CLIPModel} projects to its top-level {@code projection_dim})
 * @param initializerRange std of the initial position and token tables' base (0.02)
 * @param initializerFactor the factor Hugging Face multiplies every initial std by (1.0)
 */
public record ClipTextConfig(
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int maxPositionEmbeddings,
    String hiddenAct,
    float layerNormEps,
    float attentionDropout,
    int bosTokenId,
    int eosTokenId,
    int padTokenId,
    int projectionDim,
    double initializerRange,
    double initializerFactor) {

  /** Validates every field; a message names the field (Hugging Face's name) and its value. */
  public ClipTextConfig {
    ClipConfig.positive("text_config.vocab_size", vocabSize);
    ClipConfig.positive("text_config.hidden_size", hiddenSize);
    ClipConfig.positive("text_config.intermediate_size", intermediateSize);
    ClipConfig.positive("text_config.num_hidden_layers", numHiddenLayers);
    ClipConfig.positive("text_config.num_attention_heads", numAttentionHeads);
    ClipConfig.positive("text_config.max_position_embeddings", maxPositionEmbeddings);
    ClipConfig.positive("text_config.projection_dim", projectionDim);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "text_config.hidden_size " + hiddenSize + " must be divisible by"
              + " text_config.num_attention_heads " + numAttentionHeads);
    }
    ClipMlp.checkActivation("text_config.hidden_act", hiddenAct);
    ClipConfig.eps("text_config.layer_norm_eps", layerNormEps);
    ClipConfig.probability("text_config.attention_dropout", attentionDropout);
    for (String f : new String[] {"bos_token_id", "eos_token_id", "pad_token_id"}) {
      int id = f.startsWith("bos") ? bosTokenId : f.startsWith("eos") ? eosTokenId : padTokenId;
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException(
            "text_config." + f + " " + id + " is outside the vocabulary [0, " + vocabSize + ")");
      }
    }
    ClipConfig.nonNegative("text_config.initializer_range", initializerRange);
    ClipConfig.nonNegative("text_config.initializer_factor", initializerFactor);
  }

  /** OpenAI's ViT-B/32 text tower: 12 layers of 512, 8 heads, 77 positions, quick_gelu. */
  public static ClipTextConfig base() {
    return new ClipTextConfig(
        49408, 512, 2048, 12, 8, 77, ClipMlp.QUICK_GELU, 1e-5f, 0f, 49406, 49407, 1, 512, 0.02,
        1.0);
  }

  /** A tower of the given sizes with CLIP's defaults for the rest (vocabulary 49,408, 77 positions). */
  public static ClipTextConfig of(int width, int layers, int heads, int inner) {
    return new ClipTextConfig(
        49408, width, inner, layers, heads, 77, ClipMlp.QUICK_GELU, 1e-5f, 0f, 49406, 49407, 49407,
        512, 0.02, 1.0);
  }

  /** This configuration over another vocabulary and special ids (a tokenizer of one's own). */
  public ClipTextConfig withVocabulary(int vocab, int positions, int bos, int eos, int pad) {
    return new ClipTextConfig(
        vocab, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, positions,
        hiddenAct, layerNormEps, attentionDropout, bos, eos, pad, projectionDim, initializerRange,
        initializerFactor);
  }

  /** The head size hs = C / nh. */
  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  /**
   * Reads a {@code CLIPTextConfig} map with Hugging Face's defaults for absent fields.
   *
   * @throws IllegalArgumentException naming the field that is malformed or invalid
   */
  public static ClipTextConfig fromMap(Map<String, ?> map) {
    ConfigReader c = new ConfigReader("clip text_config", map);
    String type = c.string("model_type", "clip_text_model");
    if (!type.equals("clip_text_model")) {
      throw c.error("model_type is '" + type + "', expected 'clip_text_model'");
    }
    try {
      return new ClipTextConfig(
          c.integer("vocab_size", 49408),
          c.integer("hidden_size", 512),
          c.integer("intermediate_size", 2048),
          c.integer("num_hidden_layers", 12),
          c.integer("num_attention_heads", 8),
          c.integer("max_position_embeddings", 77),
          c.string("hidden_act", ClipMlp.QUICK_GELU),
          (float) c.number("layer_norm_eps", 1e-5),
          (float) c.number("attention_dropout", 0.0),
          c.integer("bos_token_id", 49406),
          c.integer("eos_token_id", 49407),
          c.integer("pad_token_id", 1),
          c.integer("projection_dim", 512),
          c.number("initializer_range", 0.02),
          c.number("initializer_factor", 1.0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }

  /** The {@code text_config} object Hugging Face reads. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model_type", "clip_text_model");
    m.put("vocab_size", vocabSize);
    m.put("hidden_size", hiddenSize);
    m.put("intermediate_size", intermediateSize);
    m.put("num_hidden_layers", numHiddenLayers);
    m.put("num_attention_heads", numAttentionHeads);
    m.put("max_position_embeddings", maxPositionEmbeddings);
    m.put("hidden_act", hiddenAct);
    m.put("layer_norm_eps", ClipConfig.decimal(layerNormEps));
    m.put("attention_dropout", ClipConfig.decimal(attentionDropout));
    m.put("bos_token_id", bosTokenId);
    m.put("eos_token_id", eosTokenId);
    m.put("pad_token_id", padTokenId);
    m.put("projection_dim", projectionDim);
    m.put("initializer_range", initializerRange);
    m.put("initializer_factor", initializerFactor);
    return m;
  }
}
