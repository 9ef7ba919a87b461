package io.github.transformers4j.models.gpt;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.models.config.ConfigReader;
import io.github.transformers4j.models.layers.Activations;
import io.github.transformers4j.models.layers.SdpaAttention;
import java.util.Map;

/**
 * The shape of a GPT-2 model, validated at construction; field names follow Hugging Face's {@code
 * GPT2Config}.
 *
 * @param vocabSize V
 * @param nPositions the longest sequence (rows of {@code wpe})
 * @param nEmbd the width C
 * @param nLayer the number of blocks
 * @param nHead nh; C must be divisible by it
 * @param nInner the feed-forward width (4·C in GPT-2)
 * @param activation the feed-forward nonlinearity ({@code gelu_new} is {@code GELU_TANH})
 * @param layerNormEpsilon eps of every LayerNorm
 * @param embdPdrop dropout after the embeddings (training only)
 * @param residPdrop dropout on each residual branch (training only)
 * @param attnPdrop dropout on the attention probabilities (training only)
 * @param initializerRange the std of the initial weights
 * @param attnImplementation the registered attention variant ({@code sdpa}, {@code eager}, a
 *     plugin)
 * @param seed the seed of the initial weights
 */
public record Gpt2Config(
    int vocabSize,
    int nPositions,
    int nEmbd,
    int nLayer,
    int nHead,
    int nInner,
    Activation activation,
    float layerNormEpsilon,
    float embdPdrop,
    float residPdrop,
    float attnPdrop,
    double initializerRange,
    String attnImplementation,
    long seed) {

  /** Validates every field; a message names the field and its value. */
  public Gpt2Config {
    positive("vocab_size", vocabSize);
    positive("n_positions", nPositions);
    positive("n_embd", nEmbd);
    positive("n_layer", nLayer);
    positive("n_head", nHead);
    positive("n_inner", nInner);
    if (nEmbd % nHead != 0) {
      throw new IllegalArgumentException(
          "hidden size " + nEmbd + " (n_embd) must be divisible by heads " + nHead + " (n_head)");
    }
    if (activation == null) {
      throw new IllegalArgumentException("activation_function is missing");
    }
    if (!(layerNormEpsilon > 0f)) {
      throw new IllegalArgumentException("layer_norm_epsilon must be > 0, got " + layerNormEpsilon);
    }
    probability("embd_pdrop", embdPdrop);
    probability("resid_pdrop", residPdrop);
    probability("attn_pdrop", attnPdrop);
    if (!(initializerRange >= 0)) {
      throw new IllegalArgumentException("initializer_range must be >= 0, got " + initializerRange);
    }
    if (attnImplementation == null || attnImplementation.isBlank()) {
      throw new IllegalArgumentException("attn_implementation is missing");
    }
  }

  static void positive(String field, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }
  }

  static void probability(String field, float p) {
    if (!(p >= 0f && p < 1f)) {
      throw new IllegalArgumentException(field + " must be in [0, 1), got " + p);
    }
  }

  /** GPT-2 small: 12 layers, 768 wide, 12 heads, 1024 positions, vocabulary 50257. */
  public static Gpt2Config small() {
    return of(50257, 1024, 768, 12, 12);
  }

  /** A configuration with GPT-2's defaults for everything but the sizes; seed 0. */
  public static Gpt2Config of(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead) {
    return new Gpt2Config(
        vocabSize, nPositions, nEmbd, nLayer, nHead, 4 * nEmbd, Activation.GELU_TANH, 1e-5f, 0.1f,
        0.1f, 0.1f, 0.02, SdpaAttention.NAME, 0L);
  }

  /** This configuration with another attention variant. */
  public Gpt2Config withAttention(String name) {
    return new Gpt2Config(
        vocabSize, nPositions, nEmbd, nLayer, nHead, nInner, activation, layerNormEpsilon, embdPdrop,
        residPdrop, attnPdrop, initializerRange, name, seed);
  }

  /** This configuration with another initialization seed. */
  public Gpt2Config withSeed(long s) {
    return new Gpt2Config(
        vocabSize, nPositions, nEmbd, nLayer, nHead, nInner, activation, layerNormEpsilon, embdPdrop,
        residPdrop, attnPdrop, initializerRange, attnImplementation, s);
  }

  /**
   * Reads a Hugging Face GPT-2 {@code config.json} (as a map). Options this implementation does not
   * compute fail naming the field rather than being ignored.
   *
   * @throws IllegalArgumentException naming the field that is missing, malformed or unsupported
   */
  public static Gpt2Config fromMap(Map<String, ?> map) {
    ConfigReader c = new ConfigReader("gpt2", map);
    String type = c.string("model_type", "gpt2");
    if (!type.equals("gpt2")) {
      throw c.error("model_type is '" + type + "', expected 'gpt2'");
    }
    requireValue(c, "scale_attn_weights", true);
    requireValue(c, "scale_attn_by_inverse_layer_idx", false);
    requireValue(c, "add_cross_attention", false);
    requireValue(c, "tie_word_embeddings", true);
    int nEmbd = c.integer("n_embd");
    try {
      return new Gpt2Config(
          c.integer("vocab_size"),
          c.integer("n_positions"),
          nEmbd,
          c.integer("n_layer"),
          c.integer("n_head"),
          c.integer("n_inner", 4 * nEmbd),
          Activations.fromName("activation_function", c.string("activation_function", "gelu_new")),
          (float) c.number("layer_norm_epsilon", 1e-5),
          (float) c.number("embd_pdrop", 0.1),
          (float) c.number("resid_pdrop", 0.1),
          (float) c.number("attn_pdrop", 0.1),
          c.number("initializer_range", 0.02),
          c.string("attn_implementation", SdpaAttention.NAME),
          c.integer("seed", 0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }

  private static void requireValue(ConfigReader c, String field, boolean supported) {
    if (c.bool(field, supported) != supported) {
      throw c.error(field + " = " + !supported + " is not supported (only " + supported + ")");
    }
  }
}
