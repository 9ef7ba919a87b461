package io.github.transformers4j.models.rnn;

import io.github.transformers4j.models.config.ConfigLimits;
import io.github.transformers4j.models.config.ConfigReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a {@link RecurrentSeq2Seq}, validated at construction; {@link #toMap()} and {@link
 * #fromMap} are its {@code config.json} (model type {@value RecurrentSeq2Seq#ARCHITECTURE}).
 *
 * @param cell the cell of the encoder's and the decoder's layers
 * @param vocabSize V, shared by source and target (one embedding table)
 * @param embeddingSize E
 * @param hiddenSize H of every encoder and decoder layer (the decoder starts from the encoder's
 *     final states, so they must agree)
 * @param numLayers layers of the encoder and of the decoder
 * @param dropout on the embeddings, between layers and before the head (training only)
 * @param maxLength the longest source, and the most tokens a decoding generates
 * @param decoderStartTokenId the first decoder input
 * @param seed the seed of the initial weights
 */
public record RecurrentSeq2SeqConfig(
    RecurrentLmConfig.Cell cell,
    int vocabSize,
    int embeddingSize,
    int hiddenSize,
    int numLayers,
    float dropout,
    int maxLength,
    int decoderStartTokenId,
    long seed) {

  /** Validates every field; a message names the field and its value. */
  public RecurrentSeq2SeqConfig {
    if (cell == null) {
      throw new IllegalArgumentException(
          "cell_type is missing (one of " + RecurrentLmConfig.Cell.labels() + ")");
    }
    positive("vocab_size", vocabSize, ConfigLimits.MAX_VOCABULARY);
    positive("embedding_size", embeddingSize, ConfigLimits.MAX_WIDTH);
    positive("hidden_size", hiddenSize, ConfigLimits.MAX_WIDTH);
    positive("num_layers", numLayers, ConfigLimits.MAX_LAYERS);
    positive("max_length", maxLength, ConfigLimits.MAX_POSITIONS);
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (decoderStartTokenId < 0 || decoderStartTokenId >= vocabSize) {
      throw new IllegalArgumentException(
          "decoder_start_token_id must be in [0, " + vocabSize + "), got " + decoderStartTokenId);
    }
  }

  private static void positive(String field, int v, int max) {
    if (v <= 0 || v > max) {
      throw new IllegalArgumentException(field + " must be in [1, " + max + "], got " + v);
    }
  }

  /** This config with hidden width {@code h}. */
  public RecurrentSeq2SeqConfig withHiddenSize(int h) {
    return new RecurrentSeq2SeqConfig(
        cell, vocabSize, embeddingSize, h, numLayers, dropout, maxLength, decoderStartTokenId, seed);
  }

  /** The encoder's or decoder's layer config: batch-first, unidirectional, biases, dropout between layers. */
  public RecurrentConfig layers() {
    return new RecurrentConfig(embeddingSize, hiddenSize, numLayers, true, true, dropout, false);
  }

  /** The {@code config.json} map. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of("RecurrentSeq2Seq"));
    m.put("model_type", RecurrentSeq2Seq.ARCHITECTURE);
    m.put("cell_type", cell.label());
    m.put("attention", "luong-general");
    m.put("vocab_size", vocabSize);
    m.put("embedding_size", embeddingSize);
    m.put("hidden_size", hiddenSize);
    m.put("num_layers", numLayers);
    m.put("dropout", dropout);
    m.put("max_length", maxLength);
    m.put("decoder_start_token_id", decoderStartTokenId);
    m.put("is_encoder_decoder", true);
    m.put("seed", seed);
    return m;
  }

  /**
   * Reads a {@code config.json} map written by {@link #toMap()}.
   *
   * @throws IllegalArgumentException naming the field that is missing, malformed or unsupported
   */
  public static RecurrentSeq2SeqConfig fromMap(Map<String, ?> map) {
    ConfigReader c = new ConfigReader(RecurrentSeq2Seq.ARCHITECTURE, map);
    String type = c.string("model_type", RecurrentSeq2Seq.ARCHITECTURE);
    if (!type.equals(RecurrentSeq2Seq.ARCHITECTURE)) {
      throw c.error("model_type is '" + type + "', expected '" + RecurrentSeq2Seq.ARCHITECTURE + "'");
    }
    String attention = c.string("attention", "luong-general");
    if (!attention.equals("luong-general")) {
      throw c.error("attention '" + attention + "' is not supported (only luong-general)");
    }
    if (!c.has("cell_type")) {
      throw c.error("cell_type is missing (one of " + RecurrentLmConfig.Cell.labels() + ")");
    }
    try {
      return new RecurrentSeq2SeqConfig(
          RecurrentLmConfig.Cell.fromLabel(c.string("cell_type", "")),
          c.integer("vocab_size"),
          c.integer("embedding_size"),
          c.integer("hidden_size"),
          c.integer("num_layers"),
          (float) c.number("dropout", 0),
          c.integer("max_length"),
          c.integer("decoder_start_token_id"),
          (long) c.number("seed", 0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }
}
