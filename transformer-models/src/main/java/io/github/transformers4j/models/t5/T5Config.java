package io.github.transformers4j.models.t5;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.models.config.ConfigReader;
import io.github.transformers4j.models.layers.Activations;
import io.github.transformers4j.models.layers.SdpaAttention;
import java.util.Map;

/**
 * The shape of a T5 or mT5 model, validated at construction; field names follow Hugging Face's
 * {@code T5Config}.
 *
 * @param modelType {@code t5} or {@code mt5}
 * @param vocabSize V
 * @param dModel the width C
 * @param dKv the head size hs (nh·hs need not equal C)
 * @param dFf the feed-forward width
 * @param numHeads nh
 * @param numLayers encoder blocks
 * @param numDecoderLayers decoder blocks
 * @param relativeAttentionNumBuckets buckets of the relative position bias
 * @param relativeAttentionMaxDistance the distance from which all positions share the last bucket
 * @param layerNormEpsilon eps of every RMS norm
 * @param activation the feed-forward nonlinearity ({@code dense_act_fn})
 * @param gatedActivation whether the feed-forward is gated ({@code feed_forward_proj} {@code
 *     gated-<act>}: {@code wi_0}, {@code wi_1}, {@code wo})
 * @param tieWordEmbeddings whether the output projection is {@code shared.weight} ({@code false}: a
 *     checkpoint's own {@code lm_head.weight})
 * @param scaleDecoderOutputs whether the decoder output is scaled by C^−½ before the LM head (T5
 *     v1.0)
 * @param dropoutRate dropout on embeddings, residual branches, attention probabilities and the
 *     feed-forward's inner activations (training only)
 * @param decoderStartTokenId the first decoder token
 * @param padTokenId the padding id
 * @param eosTokenId the end-of-sequence id
 * @param initializerFactor scales the initial weights' standard deviations
 * @param attnImplementation the registered attention variant ({@code sdpa}, {@code eager}, a
 *     plugin)
 * @param seed the seed of the initial weights
 */
public record T5Config(
    String modelType,
    int vocabSize,
    int dModel,
    int dKv,
    int dFf,
    int numHeads,
    int numLayers,
    int numDecoderLayers,
    int relativeAttentionNumBuckets,
    int relativeAttentionMaxDistance,
    float layerNormEpsilon,
    Activation activation,
    boolean gatedActivation,
    boolean tieWordEmbeddings,
    boolean scaleDecoderOutputs,
    float dropoutRate,
    int decoderStartTokenId,
    int padTokenId,
    int eosTokenId,
    double initializerFactor,
    String attnImplementation,
    long seed) {

  /** Validates every field; a message names the field and its value. */
  public T5Config {
    if (!"t5".equals(modelType) && !"mt5".equals(modelType)) {
      throw new IllegalArgumentException("model_type '" + modelType + "' is not t5 or mt5");
    }
    positive("vocab_size", vocabSize);
    positive("d_model", dModel);
    positive("d_kv", dKv);
    positive("d_ff", dFf);
    positive("num_heads", numHeads);
    positive("num_layers", numLayers);
    positive("num_decoder_layers", numDecoderLayers);
    if (relativeAttentionNumBuckets < 4) {
      throw new IllegalArgumentException(
          "relative_attention_num_buckets must be >= 4, got " + relativeAttentionNumBuckets);
    }
    positive("relative_attention_max_distance", relativeAttentionMaxDistance);
    if (!(layerNormEpsilon > 0f)) {
      throw new IllegalArgumentException("layer_norm_epsilon must be > 0, got " + layerNormEpsilon);
    }
    if (activation == null) {
      throw new IllegalArgumentException("dense_act_fn is missing");
    }
    if (!(dropoutRate >= 0f && dropoutRate < 1f)) {
      throw new IllegalArgumentException("dropout_rate must be in [0, 1), got " + dropoutRate);
    }
    id("decoder_start_token_id", decoderStartTokenId, vocabSize);
    id("pad_token_id", padTokenId, vocabSize);
    id("eos_token_id", eosTokenId, vocabSize);
    if (!(initializerFactor > 0)) {
      throw new IllegalArgumentException(
          "initializer_factor must be > 0, got " + initializerFactor);
    }
    if (attnImplementation == null || attnImplementation.isBlank()) {
      throw new IllegalArgumentException("attn_implementation is empty");
    }
  }

  private static void positive(String field, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }
  }

  private static void id(String field, int id, int vocab) {
    if (id < 0 || id >= vocab) {
      throw new IllegalArgumentException(
          field + " " + id + " lies outside the vocabulary [0, " + vocab + ")");
    }
  }

  /**
   * Reads a Hugging Face {@code config.json} map of {@code model_type} {@code t5} or {@code mt5}.
   * {@code feed_forward_proj} is {@code <act>} or {@code gated-<act>} ({@code gated-gelu} means
   * {@code gelu_new}, as in Hugging Face); {@code dense_act_fn}, when present, must agree with it.
   * {@code scale_decoder_outputs}, when absent (files written before the field existed), is true
   * unless {@code tie_word_embeddings} is false, the rule older Hugging Face code followed.
   */
  public static T5Config fromMap(Map<String, ?> map) {
    ConfigReader c = new ConfigReader("t5", map);
    String type = c.string("model_type", "t5");
    if (!type.equals("t5") && !type.equals("mt5")) {
      throw c.error("model_type is '" + type + "', expected 't5' or 'mt5'");
    }
    c = new ConfigReader(type, map);
    if (!c.bool("is_encoder_decoder", true)) {
      throw c.error("is_encoder_decoder = false is not supported (only the encoder-decoder)");
    }
    String proj = c.string("feed_forward_proj", type.equals("mt5") ? "gated-gelu" : "relu");
    String[] parts = proj.split("-", -1);
    boolean gated = parts.length == 2 && parts[0].equals("gated");
    if (parts.length > 2 || (parts.length == 2 && !gated) || parts[parts.length - 1].isEmpty()) {
      throw c.error(
          "feed_forward_proj '"
              + proj
              + "' is not supported; use '<act>' or 'gated-<act>', e.g."
              + " 'relu' or 'gated-gelu'");
    }
    String act = proj.equals("gated-gelu") ? "gelu_new" : parts[parts.length - 1];
    Activation activation;
    try {
      activation = Activations.fromName("feed_forward_proj", act);
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
    if (c.has("dense_act_fn")) {
      String given = c.string("dense_act_fn", act);
      Activation other;
      try {
        other = Activations.fromName("dense_act_fn", given);
      } catch (IllegalArgumentException e) {
        throw c.error(e.getMessage());
      }
      if (other != activation) {
        throw c.error(
            "dense_act_fn '"
                + given
                + "' disagrees with feed_forward_proj '"
                + proj
                + "' ('"
                + act
                + "')");
      }
    }
    if (c.has("is_gated_act") && c.bool("is_gated_act", gated) != gated) {
      throw c.error("is_gated_act " + !gated + " disagrees with feed_forward_proj '" + proj + "'");
    }
    boolean tie = c.bool("tie_word_embeddings", true);
    boolean scale = c.bool("scale_decoder_outputs", tie);
    int dModel = c.integer("d_model");
    int layers = c.integer("num_layers");
    try {
      return new T5Config(
          type,
          c.integer("vocab_size"),
          dModel,
          c.integer("d_kv"),
          c.integer("d_ff"),
          c.integer("num_heads"),
          layers,
          c.integer("num_decoder_layers", layers),
          c.integer("relative_attention_num_buckets", 32),
          c.integer("relative_attention_max_distance", 128),
          (float) c.number("layer_norm_epsilon", 1e-6),
          activation,
          gated,
          tie,
          scale,
          (float) c.number("dropout_rate", 0.1),
          c.integer("decoder_start_token_id", 0),
          c.integer("pad_token_id", 0),
          c.integer("eos_token_id", 1),
          c.number("initializer_factor", 1.0),
          c.string("attn_implementation", SdpaAttention.NAME),
          c.integer("seed", 0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }

  /** The attention's inner width nh·hs. */
  public int innerDim() {
    return numHeads * dKv;
  }
}
