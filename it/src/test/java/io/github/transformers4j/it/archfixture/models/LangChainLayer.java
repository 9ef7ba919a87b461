package io.github.transformers4j.it.archfixture.models;

import dev.langchain4j.data.embedding.Embedding;

/**
 * Negative-control fixture: a models class that returns a LangChain4j type, which only
 * transformer-langchain4j may use.
 */
public final class LangChainLayer {
  public Embedding pooled(float[] vector) {
    return new Embedding(vector);
  }
}
