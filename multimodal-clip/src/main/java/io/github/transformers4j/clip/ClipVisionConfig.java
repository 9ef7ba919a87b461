package io.github.transformers4j.clip;

import io.github.transformers4j.models.config.ConfigReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The vision tower of CLIP (a ViT), validated at construction; fields follow Hugging Face's {@code
 * CLIPVisionConfig} ({@code vision_config} of a {@code CLIPModel}, or the whole {@code config.json}
 * of a {@code CLIPVisionModel}).
 *
 * @param hiddenSize the width C
 * @param intermediateSize the feed-forward width
 * @param numHiddenLayers the number of encoder layers
 * @param numAttentionHeads nh; C must be divisible by it
 * @param numChannels image channels (3)
 * @param imageSize the side of the square input in pixels; a multiple of {@code patchSize}
 * @param patchSize the side p of a patch: the image is cut into (imageSize/p)² patches
 * @param hiddenAct the feed-forward nonlinearity by Hugging Face's name
 * @param layerNormEps eps of every LayerNorm
 * @param attentionDropout dropout on the attention probabilities (training only)
 * @param projectionDim the sub-config's own projection width ({@code CLIPVisionModelWithProjection})
 * @param initializerRange std of the initial patch and position weights (0.02)
 * @param initializerFactor the factor Hugging Face multiplies every initial std by (1.0)
 */
public record ClipVisionConfig(
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numChannels,
    int imageSize,
    int patchSize,
    String hiddenAct,
    float layerNormEps,
    float attentionDropout,
    int projectionDim,
    double initializerRange,
    double initializerFactor) {

  /** Validates every field; a message names the field (Hugging Face's name) and its value. */
  public ClipVisionConfig {
    ClipConfig.positive("vision_config.hidden_size", hiddenSize);
    ClipConfig.positive("vision_config.intermediate_size", intermediateSize);
    ClipConfig.positive("vision_config.num_hidden_layers", numHiddenLayers);
    ClipConfig.positive("vision_config.num_attention_heads", numAttentionHeads);
    ClipConfig.positive("vision_config.num_channels", numChannels);
    ClipConfig.positive("vision_config.image_size", imageSize);
    ClipConfig.positive("vision_config.patch_size", patchSize);
    ClipConfig.positive("vision_config.projection_dim", projectionDim);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "vision_config.hidden_size " + hiddenSize + " must be divisible by"
              + " vision_config.num_attention_heads " + numAttentionHeads);
    }
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "vision_config.image_size " + imageSize + " must be a multiple of"
              + " vision_config.patch_size " + patchSize + " (patches do not overlap or pad)");
    }
    ClipMlp.checkActivation("vision_config.hidden_act", hiddenAct);
    ClipConfig.eps("vision_config.layer_norm_eps", layerNormEps);
    ClipConfig.probability("vision_config.attention_dropout", attentionDropout);
    ClipConfig.nonNegative("vision_config.initializer_range", initializerRange);
    ClipConfig.nonNegative("vision_config.initializer_factor", initializerFactor);
  }

  /** OpenAI's ViT-B/32: 12 layers of 768, 12 heads, 224-pixel images in 32-pixel patches. */
  public static ClipVisionConfig base32() {
    return of(224, 32, 768, 12, 12, 3072);
  }

  /** A tower of the given sizes with CLIP's defaults for the rest (RGB, quick_gelu). */
  public static ClipVisionConfig of(
      int imageSize, int patchSize, int width, int layers, int heads, int inner) {
    return new ClipVisionConfig(
        width, inner, layers, heads, 3, imageSize, patchSize, ClipMlp.QUICK_GELU, 1e-5f, 0f, 512,
        0.02, 1.0);
  }

  /** Patches per side, imageSize / patchSize. */
  public int grid() {
    return imageSize / patchSize;
  }

  /** Positions: the class token and one per patch. */
  public int positions() {
    return grid() * grid() + 1;
  }

  /**
   * Reads a {@code CLIPVisionConfig} map with Hugging Face's defaults for absent fields.
   *
   * @throws IllegalArgumentException naming the field that is malformed or invalid
   */
  public static ClipVisionConfig fromMap(Map<String, ?> map) {
    ConfigReader c = new ConfigReader("clip vision_config", map);
    String type = c.string("model_type", "clip_vision_model");
    if (!type.equals("clip_vision_model")) {
      throw c.error("model_type is '" + type + "', expected 'clip_vision_model'");
    }
    try {
      return new ClipVisionConfig(
          c.integer("hidden_size", 768),
          c.integer("intermediate_size", 3072),
          c.integer("num_hidden_layers", 12),
          c.integer("num_attention_heads", 12),
          c.integer("num_channels", 3),
          c.integer("image_size", 224),
          c.integer("patch_size", 32),
          c.string("hidden_act", ClipMlp.QUICK_GELU),
          (float) c.number("layer_norm_eps", 1e-5),
          (float) c.number("attention_dropout", 0.0),
          c.integer("projection_dim", 512),
          c.number("initializer_range", 0.02),
          c.number("initializer_factor", 1.0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }

  /** The {@code vision_config} object Hugging Face reads. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model_type", "clip_vision_model");
    m.put("hidden_size", hiddenSize);
    m.put("intermediate_size", intermediateSize);
    m.put("num_hidden_layers", numHiddenLayers);
    m.put("num_attention_heads", numAttentionHeads);
    m.put("num_channels", numChannels);
    m.put("image_size", imageSize);
    m.put("patch_size", patchSize);
    m.put("hidden_act", hiddenAct);
    m.put("layer_norm_eps", ClipConfig.decimal(layerNormEps));
    m.put("attention_dropout", ClipConfig.decimal(attentionDropout));
    m.put("projection_dim", projectionDim);
    m.put("initializer_range", initializerRange);
    m.put("initializer_factor", initializerFactor);
    return m;
  }
}
