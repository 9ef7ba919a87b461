package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * BERT's input: {@code LayerNorm(word_embeddings[ids] + position_embeddings[positions] +
 * token_type_embeddings[types])}, then dropout, all of width E ({@code embedding_size}, which is
 * the hidden width C except in ELECTRA).
 */
public final class BertEmbeddings extends AbstractModule {
  private final Embedding wordEmbeddings;
  private final Embedding positionEmbeddings;
  private final Embedding tokenTypeEmbeddings;
  private final LayerNorm layerNorm;
  private final Dropout dropout;

  BertEmbeddings(Ops ops, BertConfig c, SplittableRandom rng) {
    super(ops);
    double std = c.initializerRange();
    int e = c.embeddingSize();
    this.wordEmbeddings = child("word_embeddings", new Embedding(ops, c.vocabSize(), e, rng, std));
    this.positionEmbeddings =
        child("position_embeddings", new Embedding(ops, c.maxPositionEmbeddings(), e, rng, std));
    this.tokenTypeEmbeddings =
        child("token_type_embeddings", new Embedding(ops, c.typeVocabSize(), e, rng, std));
    this.layerNorm = child("LayerNorm", new LayerNorm(ops, e, c.layerNormEps()));
    this.dropout = child("dropout", new Dropout(ops, c.hiddenDropoutProb()));
  }

  /** ids, positions, types (B, T) I32 → (B, T, E). */
  Tensor forward(Tensor ids, Tensor positions, Tensor types) {
    Tensor x = ops.add(wordEmbeddings.forward(ids), positionEmbeddings.forward(positions));
    x = ops.add(x, tokenTypeEmbeddings.forward(types));
    return dropout.forward(layerNorm.forward(x));
  }

  /** The token embedding table (V, E), tied to the masked-LM decoder. */
  Tensor wordTable() {
    return wordEmbeddings.weight();
  }

  /** The token embedding layer (its table is the masked-LM decoder's weight). */
  Embedding wordEmbeddings() {
    return wordEmbeddings;
  }
}
