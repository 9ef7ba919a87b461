package io.github.transformers4j.serving;

import io.github.transformers4j.models.embedding.TextEmbedding;

/**
 * A folder served for {@code /v1/embeddings}: its text embedding (a BERT-family sentence embedder
 * as {@code t4j embed} builds it, a CLIP text tower, or any installed {@link
 * io.github.transformers4j.models.embedding.TextEmbeddingProvider}'s) behind a {@link
 * MicroBatcher}.
 *
 * @param name the folder's name, the {@code model} of requests
 * @param embedding counts tokens and checks lengths before a text is queued; the batcher's model
 * @param batcher the micro-batcher in front of the embedding
 */
record ServedEmbedder(String name, TextEmbedding embedding, MicroBatcher batcher) {

  /** The most tokens a text may have, special tokens included. */
  int maxTokens() {
    return embedding.maxTokens();
  }

  /** The width of a vector. */
  int dimensions() {
    return embedding.dimensions();
  }
}
