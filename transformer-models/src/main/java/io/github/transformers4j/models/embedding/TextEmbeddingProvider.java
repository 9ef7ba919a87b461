package io.github.transformers4j.models.embedding;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.spi.NamedProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * A family of text-embedding models, found through {@link java.util.ServiceLoader} ({@code
 * provides io.github.transformers4j.models.embedding.TextEmbeddingProvider with ...}).
 */
public interface TextEmbeddingProvider extends NamedProvider {

  /** The {@code model_type}s of {@code config.json} this provider loads. */
  Set<String> modelTypes();

  /**
   * The folder {@code dir} (a Hugging Face model folder of one of {@link #modelTypes()}) as an
   * embedder computing on {@code ops}.
   *
   * @throws IOException naming a file that cannot be read
   * @throws IllegalArgumentException naming what in the folder cannot be used, and why
   */
  TextEmbedding load(Ops ops, Path dir, EmbeddingOptions options) throws IOException;
}
