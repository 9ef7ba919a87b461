package io.github.transformers4j.models.bert;

import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.AttentionMasks;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The BERT encoder (Hugging Face's {@code BertModel}): embeddings, {@code num_hidden_layers}
 * post-LN blocks of bidirectional self-attention, and optionally the pooler ({@code pooler.dense}
 * with tanh over the first token). Names: {@code embeddings.*}, {@code encoder.layer.N.*}, {@code
 * pooler.dense.*}.
 *
 * <p>The same class is RoBERTa's and ELECTRA's encoder ({@code RobertaModel}, {@code
 * ElectraModel}), which differ from BERT only at the input: RoBERTa counts positions after the
 * padding id ({@link BertConfig#paddingAwarePositions}), ELECTRA embeds in width E and projects to C
 * by {@code embeddings_project}. A checkpoint with a head stores the encoder under the model type
 * ({@code bert.}, {@code roberta.}, {@code electra.}).
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
 */
public final class BertModel extends AbstractModule implements PretrainedModel {
  /** The registry name. */
  public static final String ARCHITECTURE = "bert";

  private final BertConfig config;
  private final BertEmbeddings embeddings;
  private final Linear embeddingsProject;
  private final List<BertLayer> layers = new ArrayList<>();
  private final Linear pooler;
  // A checkpoint without pooler.dense.* (sentence-embedding exports) leaves the pooler untrained.
  private boolean poolerMissingFromCheckpoint;

  /** An encoder with the pooler, attention from the registry. */
  public BertModel(Ops ops, BertConfig config) {
    this(ops, config, true);
  }

  /** An encoder with or without the pooler (checkpoints of sentence encoders often lack it). */
  public BertModel(Ops ops, BertConfig config, boolean withPooler) {
    this(ops, config, withPooler, Plugins.attentions().forName(config.attnImplementation()));
  }

  /** An encoder with an explicit attention variant. */
  public BertModel(Ops ops, BertConfig config, boolean withPooler, AttentionProvider attention) {
    super(ops);
    this.config = config;
    SplittableRandom rng = new SplittableRandom(config.seed());
    this.embeddings = child("embeddings", new BertEmbeddings(ops, config, rng));
    this.embeddingsProject =
        config.embeddingSize() != config.hiddenSize()
            ? child(
                "embeddings_project",
                new Linear(
                    ops, config.embeddingSize(), config.hiddenSize(), Linear.Layout.OUT_IN, true, rng,
                    config.initializerRange()))
            : null;
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      layers.add(child("encoder.layer." + i, new BertLayer(ops, config, attention, rng)));
    }
    this.pooler =
        withPooler
            ? child(
                "pooler.dense",
                new Linear(
                    ops, config.hiddenSize(), config.hiddenSize(), Linear.Layout.OUT_IN, true, rng,
                    config.initializerRange()))
            : null;
  }

  @Override
  public String architecture() {
    return config.modelType();
  }

  /** The configuration. */
  public BertConfig config() {
    return config;
  }

  /**
   * The last hidden state.
   *
   * @param ids (B·T) row-major token ids
   * @param tokenTypes (B·T) segment ids, or null for all 0
   * @param attentionMask (B·T) 1 for a token, 0 for padding, or null for none
   * @return (B, T, C)
   */
  public Tensor hidden(int[] ids, int[] tokenTypes, int[] attentionMask, int batch) {
    if (ids.length % batch != 0) {
      throw new IllegalArgumentException(ids.length + " ids do not split into " + batch + " rows");
    }
    int t = ids.length / batch;
    if (t > config.maxSequenceLength()) {
      throw new IllegalArgumentException(
          "sequence of " + t + " tokens exceeds max_position_embeddings "
              + config.maxPositionEmbeddings()
              + (config.paddingAwarePositions()
                  ? " less pad_token_id + 1 (" + config.maxSequenceLength() + " tokens)"
                  : ""));
    }
    Tensor x =
        embeddings.forward(
            ops.ids(ids, batch, t),
            ops.ids(positions(ids, t), batch, t),
            ops.ids(tokenTypes == null ? new int[ids.length] : tokenTypes, batch, t));
    if (embeddingsProject != null) {
      x = embeddingsProject.forward(x); // (B, T, E) -> (B, T, C)
    }
    Tensor mask = AttentionMasks.padding(ops, attentionMask, batch, t);
    for (BertLayer layer : layers) {
      x = layer.forward(x, mask);
    }
    return x;
  }

  /**
   * The position of every token (B·T, rows of length {@code t}): {@code 0, 1, ...} in BERT and
   * ELECTRA; in RoBERTa {@code pad + 1, pad + 2, ...} over the non-padding ids, which keep {@code
   * pad} (Hugging Face derives them from the ids, not the attention mask).
   */
  int[] positions(int[] ids, int t) {
    int[] positions = new int[ids.length];
    int pad = config.padTokenId();
    for (int row = 0; row < ids.length; row += t) {
      int seen = 0;
      for (int i = row; i < row + t; i++) {
        if (!config.paddingAwarePositions()) {
          positions[i] = i - row;
        } else if (ids[i] == pad) {
          positions[i] = pad;
        } else {
          positions[i] = pad + ++seen;
        }
      }
    }
    return positions;
  }

  /** The pooled output {@code tanh(dense(h[:, 0]))} (B, C). */
  public Tensor pooled(Tensor hidden) {
    if (pooler == null) {
      throw new IllegalStateException("this BertModel was built without a pooler");
    }
    if (poolerMissingFromCheckpoint) {
      throw new IllegalStateException(
          "the checkpoint loaded into this BertModel had no pooler weights (pooler.dense.*), so"
              + " the pooler is untrained; pool hidden() with Pooling.mean or Pooling.cls instead");
    }
    return ops.tanh(pooler.forward(Pooling.cls(ops, hidden)));
  }

  /** The token embedding table (V, E). */
  Tensor wordTable() {
    return embeddings.wordTable();
  }

  /** The token embedding layer, tied to the masked-LM decoder. */
  io.github.transformers4j.models.layers.Embedding wordEmbeddings() {
    return embeddings.wordEmbeddings();
  }

  /**
   * Loads a Hugging Face BERT checkpoint, bare ({@code embeddings.*}) or inside a model with a
   * head ({@code bert.embeddings.*}); head tensors ({@code cls.*}, {@code classifier.*}) and the
   * {@code position_ids} buffer are skipped. The pooler may be missing (sentence-embedding exports
   * drop it): {@link #pooled} then fails rather than use untrained weights.
   */
  public void load(Weights weights) {
    String prefix =
        WeightLoader.detectPrefix(
            weights, "embeddings.word_embeddings.weight", config.modelType() + ".");
    WeightLoader.load(
        ops,
        this,
        weights,
        prefix,
        n -> n.endsWith("position_ids") || !n.startsWith(prefix) || (pooler == null && n.startsWith(prefix + "pooler.")),
        n -> n.startsWith("pooler."));
    poolerMissingFromCheckpoint =
        pooler != null && !weights.contains(prefix + "pooler.dense.weight");
  }
}
