package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.models.config.ConfigReader;
import io.github.transformers4j.models.layers.Activations;
import io.github.transformers4j.models.layers.SdpaAttention;
import java.util.Map;

/**
 * The shape of a BERT-family encoder, validated at construction; field names follow Hugging Face's
 * {@code BertConfig}. RoBERTa and ELECTRA are BERT with small differences, carried by the last three
 * fields: RoBERTa numbers positions after the padding id (see {@link #paddingAwarePositions}),
 * ELECTRA embeds in a narrower width and projects to the hidden width.
 *
 * @param vocabSize V
 * @param hiddenSize C
 * @param numHiddenLayers the number of blocks
 * @param numAttentionHeads nh; C must be divisible by it
 * @param intermediateSize the feed-forward width
 * @param hiddenAct the feed-forward nonlinearity (exact GELU in BERT)
 * @param hiddenDropoutProb dropout after the embeddings and on each residual branch (training)
 * @param attentionProbsDropoutProb dropout on the attention probabilities (training)
 * @param maxPositionEmbeddings the longest sequence
 * @param typeVocabSize the number of segment types
 * @param layerNormEps eps of every LayerNorm
 * @param initializerRange the std of the initial weights
 * @param numLabels classes of the classification heads
 * @param attnImplementation the registered attention variant
 * @param seed the seed of the initial weights
 * @param modelType {@code bert}, {@code roberta} or {@code electra}: the checkpoint prefix of the
 *     encoder and the position-id rule
 * @param embeddingSize the width of the embeddings (E); ELECTRA projects E → C when they differ
 * @param padTokenId the padding id, from which RoBERTa counts positions
 */
public record BertConfig(
    int vocabSize,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int intermediateSize,
    Activation hiddenAct,
    float hiddenDropoutProb,
    float attentionProbsDropoutProb,
    int maxPositionEmbeddings,
    int typeVocabSize,
    float layerNormEps,
    double initializerRange,
    int numLabels,
    String attnImplementation,
    long seed,
    String modelType,
    int embeddingSize,
    int padTokenId) {

  /** The model types this record describes. */
  public static final java.util.List<String> MODEL_TYPES = java.util.List.of("bert", "roberta", "electra");

  /** A BERT configuration (embeddings as wide as the hidden states, pad id 0). */
  public BertConfig(
      int vocabSize,
      int hiddenSize,
      int numHiddenLayers,
      int numAttentionHeads,
      int intermediateSize,
      Activation hiddenAct,
      float hiddenDropoutProb,
      float attentionProbsDropoutProb,
      int maxPositionEmbeddings,
      int typeVocabSize,
      float layerNormEps,
      double initializerRange,
      int numLabels,
      String attnImplementation,
      long seed) {
    this(
        vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
        hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, typeVocabSize,
        layerNormEps, initializerRange, numLabels, attnImplementation, seed, "bert", hiddenSize, 0);
  }

  /** Validates every field; a message names the field and its value. */
  public BertConfig {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("type_vocab_size", typeVocabSize);
    positive("num_labels", numLabels);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "hidden size " + hiddenSize + " (hidden_size) must be divisible by heads "
              + numAttentionHeads + " (num_attention_heads)");
    }
    if (hiddenAct == null) {
      throw new IllegalArgumentException("hidden_act is missing");
    }
    if (!(hiddenDropoutProb >= 0f && hiddenDropoutProb < 1f)) {
      throw new IllegalArgumentException(
          "hidden_dropout_prob must be in [0, 1), got " + hiddenDropoutProb);
    }
    if (!(attentionProbsDropoutProb >= 0f && attentionProbsDropoutProb < 1f)) {
      throw new IllegalArgumentException(
          "attention_probs_dropout_prob must be in [0, 1), got " + attentionProbsDropoutProb);
    }
    if (!(layerNormEps > 0f)) {
      throw new IllegalArgumentException("layer_norm_eps must be > 0, got " + layerNormEps);
    }
    if (attnImplementation == null || attnImplementation.isBlank()) {
      throw new IllegalArgumentException("attn_implementation is missing");
    }
    if (!MODEL_TYPES.contains(modelType)) {
      throw new IllegalArgumentException(
          "model_type '" + modelType + "' is not a BERT-family encoder (" + MODEL_TYPES + ")");
    }
    positive("embedding_size", embeddingSize);
    if (embeddingSize != hiddenSize && !modelType.equals("electra")) {
      throw new IllegalArgumentException(
          "embedding_size " + embeddingSize + " differs from hidden_size " + hiddenSize
              + ", which only ELECTRA supports");
    }
    if ("roberta".equals(modelType) && (padTokenId < 0 || padTokenId + 1 >= maxPositionEmbeddings)) {
      throw new IllegalArgumentException(
          "pad_token_id " + padTokenId + " leaves no position in max_position_embeddings "
              + maxPositionEmbeddings + " (RoBERTa's positions start at pad_token_id + 1)");
    }
  }

  /**
   * Whether positions are counted as RoBERTa counts them (Hugging Face's {@code
   * create_position_ids_from_input_ids}): the first real token is at {@code pad_token_id + 1}, each
   * later one a step further, and a padding id keeps position {@code pad_token_id}.
   */
  public boolean paddingAwarePositions() {
    return modelType.equals("roberta");
  }

  /** The longest sequence: RoBERTa's positions start after the padding id, so it loses pad + 1. */
  public int maxSequenceLength() {
    return paddingAwarePositions() ? maxPositionEmbeddings - padTokenId - 1 : maxPositionEmbeddings;
  }

  private static void positive(String field, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }
  }

  /** A configuration with BERT's defaults for everything but the sizes. */
  public static BertConfig of(int vocabSize, int hiddenSize, int layers, int heads, int intermediate) {
    return new BertConfig(
        vocabSize, hiddenSize, layers, heads, intermediate, Activation.GELU, 0.1f, 0.1f, 512, 2, 1e-12f,
        0.02, 2, SdpaAttention.NAME, 0L);
  }

  /** This configuration with {@code n} labels for the classification heads. */
  public BertConfig withNumLabels(int n) {
    return new BertConfig(
        vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
        hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, typeVocabSize,
        layerNormEps, initializerRange, n,
        attnImplementation, seed, modelType, embeddingSize, padTokenId);
  }

  /**
   * Reads a Hugging Face BERT {@code config.json} (as a map).
   *
   * @throws IllegalArgumentException naming the field that is missing, malformed or unsupported
   */
  public static BertConfig fromMap(Map<String, ?> map) {
    return fromMap(map, "bert");
  }

  /**
   * Reads a Hugging Face {@code config.json} (as a map) of {@code modelType}: {@code bert}, {@code
   * roberta} or {@code electra} (whose {@code embedding_size} may differ from {@code hidden_size}).
   *
   * @throws IllegalArgumentException naming the field that is missing, malformed or unsupported
   */
  public static BertConfig fromMap(Map<String, ?> map, String modelType) {
    ConfigReader c = new ConfigReader(modelType, map);
    String type = c.string("model_type", modelType);
    if (!type.equals(modelType)) {
      throw c.error("model_type is '" + type + "', expected '" + modelType + "'");
    }
    String positions = c.string("position_embedding_type", "absolute");
    if (!positions.equals("absolute")) {
      throw c.error(
          "position_embedding_type '" + positions + "' is not supported (only 'absolute')");
    }
    if (c.bool("is_decoder", false)) {
      throw c.error("is_decoder = true is not supported (BERT here is an encoder)");
    }
    int labels = c.integer("num_labels", 2);
    if (map.get("id2label") instanceof Map<?, ?> m && !m.isEmpty()) {
      labels = m.size();
    }
    try {
      return new BertConfig(
          c.integer("vocab_size"),
          c.integer("hidden_size"),
          c.integer("num_hidden_layers"),
          c.integer("num_attention_heads"),
          c.integer("intermediate_size"),
          Activations.fromName("hidden_act", c.string("hidden_act", "gelu")),
          (float) c.number("hidden_dropout_prob", 0.1),
          (float) c.number("attention_probs_dropout_prob", 0.1),
          c.integer("max_position_embeddings", 512),
          c.integer("type_vocab_size", 2),
          (float) c.number("layer_norm_eps", 1e-12),
          c.number("initializer_range", 0.02),
          labels,
          c.string("attn_implementation", SdpaAttention.NAME),
          c.integer("seed", 0),
          modelType,
          modelType.equals("electra")
              ? c.integer("embedding_size", c.integer("hidden_size"))
              : c.integer("hidden_size"),
          c.integer("pad_token_id", modelType.equals("roberta") ? 1 : 0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }
}
