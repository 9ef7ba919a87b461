package io.github.transformers4j.clip;

import io.github.transformers4j.models.config.ConfigReader;
import io.github.transformers4j.models.layers.SdpaAttention;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a CLIP model: its two towers, the width of the shared embedding space and the
 * initial temperature. Fields follow Hugging Face's {@code CLIPConfig}, whose {@code config.json}
 * {@link #fromMap} reads and {@link #toMap} writes.
 *
 * @param text the text tower
 * @param vision the vision tower
 * @param projectionDim P, the width of the shared space both towers project to (the sub-configs'
 *     {@code projection_dim} is not used by {@code CLIPModel})
 * @param logitScaleInit the initial {@code logit_scale} = ln(1/temperature), ln(1/0.07) ≈ 2.6592
 * @param initializerFactor the factor Hugging Face multiplies the projections' initial std by
 * @param attnImplementation the registered attention variant ({@code sdpa}, {@code eager}, a plugin)
 * @param seed the seed of the initial weights
 */
public record ClipConfig(
    ClipTextConfig text,
    ClipVisionConfig vision,
    int projectionDim,
    double logitScaleInit,
    double initializerFactor,
    String attnImplementation,
    long seed) {

  /** The registry name and Hugging Face {@code model_type}. */
  public static final String MODEL_TYPE = "clip";

  /** ln(1/0.07), CLIP's initial {@code logit_scale} as Hugging Face rounds it. */
  public static final double LOGIT_SCALE_INIT = 2.6592;

  /** Validates every field. */
  public ClipConfig {
    if (text == null || vision == null) {
      throw new IllegalArgumentException("a CLIP config needs text_config and vision_config");
    }
    positive("projection_dim", projectionDim);
    if (!Double.isFinite(logitScaleInit)) {
      throw new IllegalArgumentException(
          "logit_scale_init_value must be a finite number, got " + logitScaleInit);
    }
    nonNegative("initializer_factor", initializerFactor);
    if (attnImplementation == null || attnImplementation.isBlank()) {
      throw new IllegalArgumentException("attn_implementation is missing");
    }
  }

  /** Two towers projecting to {@code projectionDim}, logit scale ln(1/0.07), sdpa, seed 0. */
  public ClipConfig(
      ClipTextConfig text, ClipVisionConfig vision, int projectionDim, double logitScaleInit) {
    this(text, vision, projectionDim, logitScaleInit, 1.0, SdpaAttention.NAME, 0L);
  }

  /** OpenAI's ViT-B/32 CLIP ({@code openai/clip-vit-base-patch32}'s shape), projection 512. */
  public static ClipConfig vitBase32() {
    return new ClipConfig(ClipTextConfig.base(), ClipVisionConfig.base32(), 512, LOGIT_SCALE_INIT);
  }

  /** This configuration with another initialization seed. */
  public ClipConfig withSeed(long s) {
    return new ClipConfig(
        text, vision, projectionDim, logitScaleInit, initializerFactor, attnImplementation, s);
  }

  /** This configuration with another attention variant. */
  public ClipConfig withAttention(String name) {
    return new ClipConfig(
        text, vision, projectionDim, logitScaleInit, initializerFactor, name, seed);
  }

  /**
   * Reads a Hugging Face {@code CLIPModel} {@code config.json} (as a map): {@code text_config},
   * {@code vision_config}, {@code projection_dim}, {@code logit_scale_init_value}; absent fields
   * take Hugging Face's defaults.
   *
   * @throws IllegalArgumentException naming the field that is missing, malformed or invalid
   */
  public static ClipConfig fromMap(Map<String, ?> map) {
    ConfigReader c = new ConfigReader(MODEL_TYPE, map);
    String type = c.string("model_type", MODEL_TYPE);
    if (!type.equals(MODEL_TYPE)) {
      throw c.error("model_type is '" + type + "', expected '" + MODEL_TYPE + "'");
    }
    try {
      return new ClipConfig(
          ClipTextConfig.fromMap(nested(c, map, "text_config")),
          ClipVisionConfig.fromMap(nested(c, map, "vision_config")),
          c.integer("projection_dim", 512),
          c.number("logit_scale_init_value", LOGIT_SCALE_INIT),
          c.number("initializer_factor", 1.0),
          c.string("attn_implementation", SdpaAttention.NAME),
          c.integer("seed", 0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> nested(ConfigReader c, Map<String, ?> map, String field) {
    Object v = map.get(field);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw c.error(field + " must be an object, got " + v);
    }
    return (Map<String, ?>) m;
  }

  /** The {@code config.json} of a Hugging Face {@code CLIPModel} with these values. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of("CLIPModel"));
    m.put("model_type", MODEL_TYPE);
    m.put("projection_dim", projectionDim);
    m.put("logit_scale_init_value", logitScaleInit);
    m.put("initializer_factor", initializerFactor);
    m.put("dtype", "float32");
    m.put("text_config", text.toMap());
    m.put("vision_config", vision.toMap());
    return m;
  }

  /** A float as the shortest decimal that reads back to it (1e-5, not 9.999999747378752e-06). */
  static double decimal(float v) {
    return Double.parseDouble(Float.toString(v));
  }

  static void positive(String field, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }
  }

  static void nonNegative(String field, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + " must be a finite number >= 0, got " + v);
    }
  }

  static void eps(String field, float v) {
    if (!(v > 0f) || Float.isInfinite(v)) {
      throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }
  }

  static void probability(String field, float p) {
    if (!(p >= 0f && p < 1f)) {
      throw new IllegalArgumentException(field + " must be in [0, 1), got " + p);
    }
  }
}
