package io.github.transformers4j.it.archfixture.langchain4j;

import dev.langchain4j.data.embedding.Embedding;

/** Negative-control fixture: LangChain4j inside transformer-langchain4j is allowed. */
public final class EmbeddingAdapter {
  public Embedding wrap(float[] vector) {
    return Embedding.from(vector);
  }
}
