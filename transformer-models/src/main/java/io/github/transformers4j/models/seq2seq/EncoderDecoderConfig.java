package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.models.config.ConfigReader;
import io.github.transformers4j.models.layers.Activations;
import io.github.transformers4j.models.layers.NormPlacement;
import io.github.transformers4j.models.layers.SdpaAttention;
import java.util.List;
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
 * @param layout where a Hugging Face family (BART, Pegasus, Marian) departs from the paper
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
    long seed,
    Layout layout) {

  /** How positions enter the model. */
  public enum Positions {
    /** The paper's fixed sinusoids added to the embeddings. */
    SINUSOIDAL,
    /** Learned absolute position embeddings ({@code embed_positions}) added to the embeddings. */
    LEARNED,
    /** Rotary embeddings applied to q and k of every self-attention. */
    ROTARY
  }

  /**
   * Where a Hugging Face family departs from the paper's arrangement; {@link #TRANSFORMER} is this
   * project's own {@code transformer}, whose checkpoints have none of these.
   *
   * @param modelType the {@code model_type} ({@code transformer}, {@code bart}, {@code pegasus},
   *     {@code marian})
   * @param positionOffset rows of the learned position table before position 0 (BART's 2, a
   *     fairseq heritage: the table has {@code max_position_embeddings + 2} rows)
   * @param halfSinusoids the sinusoid table holds the sines in the first half of the channels and
   *     the cosines in the second (Pegasus, Marian), not interleaved as in the paper; a checkpoint
   *     may store it as {@code encoder.embed_positions.weight}
   * @param layernormEmbedding a LayerNorm ({@code layernorm_embedding}) on the sum of token and
   *     position embeddings of each stack (BART)
   * @param finalLogitsBias a fixed (1, V) {@code final_logits_bias} added to the logits, read from
   *     the checkpoint when present (zeros otherwise) and never trained, as Hugging Face's buffer
   * @param tieWordEmbeddings the output projection is {@code shared}; false: its own {@code
   *     lm_head.weight} (V, C)
   */
  public record Layout(
      String modelType,
      int positionOffset,
      boolean halfSinusoids,
      boolean layernormEmbedding,
      boolean finalLogitsBias,
      boolean tieWordEmbeddings) {
    /** The project's own encoder-decoder: none of the families' departures. */
    public static final Layout TRANSFORMER =
        new Layout("transformer", 0, false, false, false, true);

    /** Validates the offset and the type. */
    public Layout {
      if (modelType == null || modelType.isBlank()) {
        throw new IllegalArgumentException("layout needs a model_type");
      }
      if (positionOffset < 0) {
        throw new IllegalArgumentException("position offset must be >= 0, got " + positionOffset);
      }
    }

    /** Whether checkpoints carry Hugging Face's {@code model.} prefix and tied copies. */
    public boolean huggingFace() {
      return !this.equals(TRANSFORMER);
    }
  }

  /** A configuration of the project's own {@code transformer} ({@link Layout#TRANSFORMER}). */
  public EncoderDecoderConfig(
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
    this(
        vocabSize, dModel, heads, ffnDim, encoderLayers, decoderLayers, maxPositions, activation,
        positions, norm, scaleEmbedding, dropout, attentionDropout, layerNormEps, initStd,
        decoderStartTokenId, attnImplementation, seed, Layout.TRANSFORMER);
  }

  /** Validates every field; a message names the field and its value. */
  public EncoderDecoderConfig {
    if (layout == null) {
      throw new IllegalArgumentException("layout is required (Layout.TRANSFORMER for our own)");
    }
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
    if (layout.halfSinusoids() && positions != Positions.SINUSOIDAL) {
      throw new IllegalArgumentException(
          layout.modelType() + ": a sinusoid layout needs sinusoidal positions, got " + positions);
    }
    if (layout.positionOffset() > 0 && positions != Positions.LEARNED) {
      throw new IllegalArgumentException(
          layout.modelType() + ": a position offset needs learned positions, got " + positions);
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
        seed, layout);
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

  /**
   * Reads any configuration this model takes, by its {@code model_type}: {@code bart}, {@code
   * pegasus}, {@code marian} ({@link #fromHuggingFace}), else our own {@code transformer} ({@link
   * #fromMap}).
   */
  public static EncoderDecoderConfig fromAnyMap(Map<String, ?> map) {
    Object type = map.get("model_type");
    return type instanceof String t && HF_TYPES.contains(t)
        ? fromHuggingFace(t, map)
        : fromMap(map);
  }

  /** The Hugging Face {@code model_type}s {@link #fromHuggingFace} reads. */
  public static final List<String> HF_TYPES = List.of("bart", "pegasus", "marian");

  /**
   * Reads a Hugging Face {@code config.json} of the BART family: {@code model_type} {@code bart}
   * (learned positions with offset 2, {@code layernorm_embedding}, post-LN), {@code pegasus}
   * (sinusoids, pre-LN with a final LayerNorm per stack) or {@code marian} (sinusoids, post-LN).
   * All three add {@code final_logits_bias} and scale the embeddings iff {@code scale_embedding}.
   * Options this model does not have are rejected naming the field: different encoder and
   * decoder heads or widths, Marian's separate decoder vocabulary, an {@code architectures} entry
   * with a head other than the LM head.
   */
  public static EncoderDecoderConfig fromHuggingFace(String type, Map<String, ?> map) {
    if (!HF_TYPES.contains(type)) {
      throw new IllegalArgumentException("model_type '" + type + "' is not one of " + HF_TYPES);
    }
    ConfigReader c = new ConfigReader(type, map);
    String declared = c.string("model_type", type);
    if (!declared.equals(type)) {
      throw c.error("model_type '" + declared + "' given to the " + type + " architecture");
    }
    checkArchitectures(c, type, map.get("architectures"));
    int heads = c.integer("encoder_attention_heads");
    int decoderHeads = c.integer("decoder_attention_heads", heads);
    if (decoderHeads != heads) {
      throw c.error(
          "decoder_attention_heads " + decoderHeads + " differs from encoder_attention_heads "
              + heads + "; this encoder-decoder has one head count");
    }
    int ffn = c.integer("encoder_ffn_dim");
    int decoderFfn = c.integer("decoder_ffn_dim", ffn);
    if (decoderFfn != ffn) {
      throw c.error(
          "decoder_ffn_dim " + decoderFfn + " differs from encoder_ffn_dim " + ffn
              + "; this encoder-decoder has one feed-forward width");
    }
    int vocab = c.integer("vocab_size");
    if (type.equals("marian")) {
      if (!c.bool("share_encoder_decoder_embeddings", true)) {
        throw c.error(
            "share_encoder_decoder_embeddings false (separate source and target embeddings) is"
                + " not supported; only Marian models with one shared vocabulary load");
      }
      int decoderVocab = c.integer("decoder_vocab_size", vocab);
      if (decoderVocab != vocab) {
        throw c.error(
            "decoder_vocab_size " + decoderVocab + " differs from vocab_size " + vocab
                + " (a separate target vocabulary), which is not supported");
      }
    }
    // Older BART and Pegasus files carry fairseq's normalize_before / add_final_layer_norm; Hugging
    // Face ignores them (the model_type fixes the arrangement), and so do we.
    boolean tie = c.bool("tie_word_embeddings", true);
    Positions positions = type.equals("bart") ? Positions.LEARNED : Positions.SINUSOIDAL;
    NormPlacement norm = type.equals("pegasus") ? NormPlacement.PRE : NormPlacement.POST;
    Layout layout =
        switch (type) {
          case "bart" -> new Layout(type, 2, false, true, true, tie);
          default -> new Layout(type, 0, true, false, true, tie);
        };
    try {
      return new EncoderDecoderConfig(
          vocab,
          c.integer("d_model"),
          heads,
          ffn,
          c.integer("encoder_layers"),
          c.integer("decoder_layers"),
          c.integer("max_position_embeddings"),
          Activations.fromName("activation_function", c.string("activation_function", "gelu")),
          positions,
          norm,
          c.bool("scale_embedding", false),
          (float) c.number("dropout", 0.1),
          (float) c.number("attention_dropout", 0.0),
          // Hugging Face builds these LayerNorms with PyTorch's default eps.
          1e-5f,
          c.number("init_std", 0.02),
          // Marian starts from the pad token; BART and Pegasus from eos (2), as HF's defaults.
          c.integer(
              "decoder_start_token_id",
              type.equals("marian") ? c.integer("pad_token_id", 0) : 2),
          c.string("attn_implementation", SdpaAttention.NAME),
          c.integer("seed", 0),
          layout);
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }

  /** The model classes whose checkpoints this model reads: the bare model and the LM head. */
  private static void checkArchitectures(ConfigReader c, String type, Object architectures) {
    if (architectures == null) {
      return;
    }
    List<String> ok =
        switch (type) {
          case "bart" -> List.of("BartForConditionalGeneration", "BartModel");
          case "pegasus" -> List.of("PegasusForConditionalGeneration", "PegasusModel");
          default -> List.of("MarianMTModel", "MarianModel");
        };
    if (!(architectures instanceof List<?> list)) {
      throw c.error("architectures must be a list of class names, got " + architectures);
    }
    for (Object a : list) {
      if (!ok.contains(String.valueOf(a))) {
        throw c.error(
            "architectures '" + a + "' is not supported; model_type " + type + " loads "
                + String.join(" or ", ok));
      }
    }
  }
}
