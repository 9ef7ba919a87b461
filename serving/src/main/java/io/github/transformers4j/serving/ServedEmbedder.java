package io.github.transformers4j.serving;

import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.bert.SentenceEmbedder;

/**
 * A BERT-family folder served for {@code /v1/embeddings}: its sentence embedder (as {@code t4j
 * embed} builds it) behind a {@link MicroBatcher}.
 *
 * @param name the folder's name, the {@code model} of requests
 * @param tokenizer counts tokens and checks lengths before a text is queued
 * @param maxTokens the most tokens a text may have (the model's positions)
 * @param dimensions the width of a vector
 * @param batcher the micro-batcher in front of the embedder
 */
record ServedEmbedder(
    String name, TextTokenizer tokenizer, int maxTokens, int dimensions, MicroBatcher batcher) {

  /** The most tokens a text of {@code bert} may have: its positions (RoBERTa's start at pad + 1). */
  static int maxTokens(BertModel bert) {
    int max = bert.config().maxPositionEmbeddings();
    return "roberta".equals(bert.config().modelType()) ? max - bert.config().padTokenId() - 1 : max;
  }

  /** The embedder's vectors, for the batcher. */
  static MicroBatcher.Embed embedding(SentenceEmbedder embedder) {
    return texts -> embedder.embed(texts);
  }
}
