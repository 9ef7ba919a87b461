/**
 * Transformers4J models as LangChain4j models, in the same JVM: {@link
 * io.github.transformers4j.langchain4j.T4jEmbeddingModel} (sentence embeddings from a BERT-family
 * folder, as {@code t4j embed} computes them), {@link
 * io.github.transformers4j.langchain4j.T4jLanguageModel} (text continuation, streamed token by
 * token, as {@code t4j generate} prints it) and {@link
 * io.github.transformers4j.langchain4j.T4jChatModel} (chat messages rendered by a {@link
 * io.github.transformers4j.langchain4j.ChatFormat}, then generated the same way).
 */
package io.github.transformers4j.langchain4j;
