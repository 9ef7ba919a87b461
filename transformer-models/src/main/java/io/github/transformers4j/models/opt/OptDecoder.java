package io.github.transformers4j.models.opt;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.layers.KvCache;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The OPT decoder stack (Hugging Face's {@code OPTDecoder}): {@code h₀ = project_in(embed_tokens[ids])
 * + embed_positions[positions + 2]}, the blocks, {@code final_layer_norm}, {@code project_out}.
 * Names {@code embed_tokens}, {@code embed_positions}, {@code project_in}, {@code project_out},
 * {@code layers.N.*}, {@code final_layer_norm}.
 */
final class OptDecoder extends AbstractModule {
  private final OptConfig config;
  private final Embedding embedTokens;
  private final Embedding embedPositions;
  private final Linear projectIn;
  private final Linear projectOut;
  private final Dropout dropout;
  private final List<OptDecoderLayer> layers = new ArrayList<>();
  private final LayerNorm finalLayerNorm;

  OptDecoder(Ops ops, OptConfig c, AttentionProvider attention) {
    super(ops);
    this.config = c;
    SplittableRandom rng = new SplittableRandom(c.seed());
    double std = c.initStd();
    int e = c.wordEmbedProjDim();
    this.embedTokens = child("embed_tokens", new Embedding(ops, c.vocabSize(), e, rng, std));
    this.embedPositions =
        child(
            "embed_positions",
            new Embedding(ops, c.maxPositionEmbeddings() + OptConfig.POSITION_OFFSET, c.hiddenSize(), rng, std));
    this.projectIn =
        c.projects()
            ? child("project_in", new Linear(ops, e, c.hiddenSize(), Linear.Layout.OUT_IN, false, rng, std))
            : null;
    this.projectOut =
        c.projects()
            ? child("project_out", new Linear(ops, c.hiddenSize(), e, Linear.Layout.OUT_IN, false, rng, std))
            : null;
    this.dropout = child("dropout", new Dropout(ops, c.dropout()));
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      layers.add(child("layers." + i, new OptDecoderLayer(ops, c, attention, rng)));
    }
    this.finalLayerNorm =
        c.finalLayerNorm()
            ? child("final_layer_norm", new LayerNorm(ops, c.hiddenSize(), OptConfig.LAYER_NORM_EPS))
            : null;
  }

  /**
   * The decoder output, in the token embedding width.
   *
   * @param ids (B, T) I32 token ids
   * @param positions (B, T) I32 positions counted from 0 at each row's first real token (the
   *     offset 2 is added here)
   * @param mask additive padding mask broadcastable to (B, nh, T, Tk), Tk = cached + T, or null
   * @param cache extended by this call when not null
   * @return (B, T, E)
   */
  Tensor forward(Tensor ids, int[] positions, Tensor mask, KvCache cache) {
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    int past = cache == null ? 0 : cache.length();
    if (past + t > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "sequence of " + (past + t) + " tokens exceeds max_position_embeddings "
              + config.maxPositionEmbeddings());
    }
    int[] rows = new int[positions.length];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = positions[i] + OptConfig.POSITION_OFFSET;
    }
    Tensor x = embedTokens.forward(ids);
    if (projectIn != null) {
      x = projectIn.forward(x); // (B, T, E) -> (B, T, C)
    }
    x = dropout.forward(ops.add(x, embedPositions.forward(ops.ids(rows, b, t))));
    for (int i = 0; i < layers.size(); i++) {
      x = layers.get(i).forward(x, mask, cache == null ? null : cache.self(i));
    }
    if (finalLayerNorm != null) {
      x = finalLayerNorm.forward(x);
    }
    return projectOut == null ? x : projectOut.forward(x); // (B, T, C) -> (B, T, E)
  }

  /** The token table (V, E). */
  Embedding embedTokens() {
    return embedTokens;
  }

  int layerCount() {
    return layers.size();
  }
}
