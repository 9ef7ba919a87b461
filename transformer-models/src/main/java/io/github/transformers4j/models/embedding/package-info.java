/**
 * Text embeddings as a plugin point: a {@link
 * io.github.transformers4j.models.embedding.TextEmbeddingProvider} turns a model folder of the
 * {@code model_type}s it knows into a {@link io.github.transformers4j.models.embedding.TextEmbedding}
 * (BERT-family sentence embeddings here, CLIP text embeddings in the multimodal module), so a
 * server or pipeline embeds with any installed family without depending on its module.
 */
package io.github.transformers4j.models.embedding;
