package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.models.config.ConfigReader;
import io.github.transformers4j.models.layers.Activations;
import io.github.transformers4j.models.layers.NormPlacement;
import io.github.transformers4j.models.layers.SdpaAttention;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of an encoder-decoder, validated at construction. {@link #original} gives the base
 * model of "Attention Is All You Need" (sinusoidal positions, ReLU, post-LN, embeddings scaled by
 * √d_model); field names in {@link #fromMap} follow BART's config.
 *
 * @param vocabSize V, shared by source and target
 * @param dModel C
 * @param heads nh
 * @param ffnDim the feed-forward width
 * @param encoderLayers encoder blocks
 * @param decoderLayers decoder blocks
 * @param maxPositions the longest sequence
 * @param activation the feed-forward nonlinearity
 * @param positions {@code sinusoidal}, {@code learned} or {@code rotary}
 * @param norm post-LN (original, BART) or pre-LN
 * @param scaleEmbedding multiply token embeddings by √d_model (the paper, §3.4)
 * @param dropout on embeddings and residual branches (training)
 * @param attentionDropout on the attention probabilities (training)
 * @param layerNormEps eps of every LayerNorm
 * @param initStd the std of the initial weights
 * @param decoderStartTokenId the first decoder token
 * @param attnImplementation the registered attention variant
 * @param seed the seed of the initial weights
 */
public record EncoderDecoderConfig(
    int vocabSize,
    int dModel,
    int heads,
    int ffnDim,
    int encoderLayers,
    int decoderLayers,
    int maxPositions,
    Activation activation,
    Positions positions,
    NormPlacement norm,
    boolean scaleEmbedding,
    float dropout,
    float attentionDropout,
    float layerNormEps,
    double initStd,
    int decoderStartTokenId,
    String attnImplementation,
    long seed) {

  /** How positions enter the model. */
  public enum Positions {
    /** The paper's fixed sinusoids added to the embeddings. */
    SINUSOIDAL,
    /** Learned absolute position embeddings ({@code embed_positions}) added to the embeddings. */
    LEARNED,
    /** Rotary embeddings applied to q and k of every self-attention. */
    ROTARY
  }

  /** Validates every field; a message names the field and its value. */
  public EncoderDecoderConfig {
    positive("vocab_size", vocabSize);
    positive("d_model", dModel);
    positive("encoder_attention_heads", heads);
    positive("ffn_dim", ffnDim);
    positive("encoder_layers", encoderLayers);
    positive("decoder_layers", decoderLayers);
    positive("max_position_embeddings", maxPositions);
    if (dModel % heads != 0) {
      throw new IllegalArgumentException(
          "hidden size " + dModel + " (d_model) must be divisible by heads " + heads
              + " (encoder_attention_heads)");
    }
    if (positions == Positions.ROTARY && (dModel / heads) % 2 != 0) {
      throw new IllegalArgumentException(
          "rotary positions need an even head size, got d_model / heads = " + dModel / heads);
    }
    if (positions == Positions.SINUSOIDAL && dModel % 2 != 0) {
      throw new IllegalArgumentException("sinusoidal positions need an even d_model, got " + dModel);
    }
    if (activation == null || positions == null || norm == null) {
      throw new IllegalArgumentException("activation_function, positions and norm are required");
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (!(attentionDropout >= 0f && attentionDropout < 1f)) {
      throw new IllegalArgumentException(
          "attention_dropout must be in [0, 1), got " + attentionDropout);
    }
    if (!(layerNormEps > 0f)) {
      throw new IllegalArgumentException("layer_norm_eps must be > 0, got " + layerNormEps);
    }
    if (decoderStartTokenId < 0 || decoderStartTokenId >= vocabSize) {
      throw new IllegalArgumentException(
          "decoder_start_token_id " + decoderStartTokenId + " is outside the vocabulary of "
              + vocabSize);
    }
  }

  private static void positive(String field, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }
  }

  /** The paper's arrangement at the given sizes. */
  public static EncoderDecoderConfig original(
      int vocabSize, int dModel, int heads, int ffnDim, int layers, int maxPositions) {
    return new EncoderDecoderConfig(
        vocabSize, dModel, heads, ffnDim, layers, layers, maxPositions, Activation.RELU,
        Positions.SINUSOIDAL, NormPlacement.POST, true, 0.1f, 0f, 1e-5f, 0.02, 0, SdpaAttention.NAME,
        0L);
  }

  /** This configuration with other positions and normalization placement. */
  public EncoderDecoderConfig with(Positions p, NormPlacement n) {
    return new EncoderDecoderConfig(
        vocabSize, dModel, heads, ffnDim, encoderLayers, decoderLayers, maxPositions, activation, p,
        n, scaleEmbedding, dropout, attentionDropout, layerNormEps, initStd, decoderStartTokenId, attnImplementation,
        seed);
  }

  /**
   * Reads a configuration map with BART's field names plus {@code positions} ({@code sinusoidal},
   * {@code learned}, {@code rotary}) and {@code normalize_before} (pre-LN).
   */
  public static EncoderDecoderConfig fromMap(Map<String, ?> map) {
    ConfigReader c = new ConfigReader("transformer", map);
    int enc = c.integer("encoder_attention_heads");
    if (c.integer("decoder_attention_heads", enc) != enc) {
      throw c.error("decoder_attention_heads must equal encoder_attention_heads " + enc);
    }
    String p = c.string("positions", "sinusoidal");
    Positions positions;
    try {
      positions = Positions.valueOf(p.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw c.error("positions '" + p + "' is not supported; use sinusoidal, learned or rotary");
    }
    try {
      return new EncoderDecoderConfig(
          c.integer("vocab_size"),
          c.integer("d_model"),
          enc,
          c.integer("encoder_ffn_dim"),
          c.integer("encoder_layers"),
          c.integer("decoder_layers"),
          c.integer("max_position_embeddings"),
          Activations.fromName("activation_function", c.string("activation_function", "relu")),
          positions,
          c.bool("normalize_before", false) ? NormPlacement.PRE : NormPlacement.POST,
          c.bool("scale_embedding", true),
          (float) c.number("dropout", 0.1),
          (float) c.number("attention_dropout", 0.0),
          (float) c.number("layer_norm_eps", 1e-5),
          c.number("init_std", 0.02),
          c.integer("decoder_start_token_id", 0),
          c.string("attn_implementation", SdpaAttention.NAME),
          c.integer("seed", 0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }
}
