package io.github.transformers4j.models.opt;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.models.config.ConfigReader;
import io.github.transformers4j.models.layers.Activations;
import io.github.transformers4j.models.layers.SdpaAttention;
import java.util.Map;

/**
 * The shape of an OPT decoder, validated at construction; field names follow Hugging Face's {@code
 * OPTConfig}.
 *
 * @param vocabSize V
 * @param hiddenSize C
 * @param numHiddenLayers the number of blocks
 * @param numAttentionHeads nh; C must be divisible by it
 * @param ffnDim the feed-forward width
 * @param maxPositionEmbeddings the longest sequence (the table has 2 more rows: the offset)
 * @param wordEmbedProjDim the token embedding width E; {@code project_in} / {@code project_out}
 *     map E ↔ C when it differs from C
 * @param doLayerNormBefore pre-LN (true; every OPT but 350m) or post-LN blocks
 * @param finalLayerNorm whether {@code final_layer_norm} exists (pre-LN, unless {@code
 *     _remove_final_layer_norm})
 * @param activation the feed-forward nonlinearity (ReLU)
 * @param dropout dropout on the embeddings' sum and the residual branches (training)
 * @param attentionDropout dropout on the attention probabilities (training)
 * @param tieWordEmbeddings whether the output projection is the token table
 * @param initStd the std of the initial weights
 * @param padTokenId the padding id
 * @param bosTokenId the first token of a prompt
 * @param eosTokenId the end of a text
 * @param attnImplementation the registered attention variant
 * @param seed the seed of the initial weights
 */
public record OptConfig(
    int vocabSize,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int ffnDim,
    int maxPositionEmbeddings,
    int wordEmbedProjDim,
    boolean doLayerNormBefore,
    boolean finalLayerNorm,
    Activation activation,
    float dropout,
    float attentionDropout,
    boolean tieWordEmbeddings,
    double initStd,
    int padTokenId,
    int bosTokenId,
    int eosTokenId,
    String attnImplementation,
    long seed) {

  /** OPT's learned positions start at row 2 (a fairseq legacy of the padding index). */
  public static final int POSITION_OFFSET = 2;

  /** PyTorch's {@code nn.LayerNorm} default, which OPT keeps. */
  public static final float LAYER_NORM_EPS = 1e-5f;

  /** Validates every field; a message names the field and its value. */
  public OptConfig {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("ffn_dim", ffnDim);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("word_embed_proj_dim", wordEmbedProjDim);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "hidden size " + hiddenSize + " (hidden_size) must be divisible by heads "
              + numAttentionHeads + " (num_attention_heads)");
    }
    if (activation == null) {
      throw new IllegalArgumentException("activation_function is missing");
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (!(attentionDropout >= 0f && attentionDropout < 1f)) {
      throw new IllegalArgumentException("attention_dropout must be in [0, 1), got " + attentionDropout);
    }
    for (int[] id : new int[][] {{padTokenId, 0}, {bosTokenId, 1}, {eosTokenId, 2}}) {
      if (id[0] < 0 || id[0] >= vocabSize) {
        throw new IllegalArgumentException(
            new String[] {"pad_token_id", "bos_token_id", "eos_token_id"}[id[1]] + " " + id[0]
                + " is outside the vocabulary [0, " + vocabSize + ")");
      }
    }
    if (attnImplementation == null || attnImplementation.isBlank()) {
      throw new IllegalArgumentException("attn_implementation is missing");
    }
  }

  private static void positive(String field, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }
  }

  /** Whether token embeddings are narrower than the hidden width and projected. */
  public boolean projects() {
    return wordEmbedProjDim != hiddenSize;
  }

  /**
   * Reads a Hugging Face OPT {@code config.json} (as a map).
   *
   * @throws IllegalArgumentException naming the field that is missing, malformed or unsupported
   */
  public static OptConfig fromMap(Map<String, ?> map) {
    ConfigReader c = new ConfigReader("opt", map);
    String type = c.string("model_type", "opt");
    if (!type.equals("opt")) {
      throw c.error("model_type is '" + type + "', expected 'opt'");
    }
    if (!c.bool("enable_bias", true)) {
      throw c.error("enable_bias = false is not supported (every OPT checkpoint has biases)");
    }
    if (!c.bool("layer_norm_elementwise_affine", true)) {
      throw c.error(
          "layer_norm_elementwise_affine = false is not supported (layer norms here have a weight"
              + " and a bias)");
    }
    boolean pre = c.bool("do_layer_norm_before", true);
    int hidden = c.integer("hidden_size");
    try {
      return new OptConfig(
          c.integer("vocab_size"),
          hidden,
          c.integer("num_hidden_layers"),
          c.integer("num_attention_heads"),
          c.integer("ffn_dim"),
          c.integer("max_position_embeddings", 2048),
          c.integer("word_embed_proj_dim", hidden),
          pre,
          pre && !c.bool("_remove_final_layer_norm", false),
          Activations.fromName("activation_function", c.string("activation_function", "relu")),
          (float) c.number("dropout", 0.1),
          (float) c.number("attention_dropout", 0.0),
          c.bool("tie_word_embeddings", true),
          c.number("init_std", 0.02),
          c.integer("pad_token_id", 1),
          c.integer("bos_token_id", 2),
          c.integer("eos_token_id", 2),
          c.string("attn_implementation", SdpaAttention.NAME),
          c.integer("seed", 0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }
}
