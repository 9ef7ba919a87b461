package io.github.transformers4j.models.embedding;

import io.github.transformers4j.api.registry.NamedRegistry;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/** The text-embedding families installed on the module path or class path. */
public final class TextEmbeddings {
  private TextEmbeddings() {}

  /** Every installed provider, by name. */
  public static NamedRegistry<TextEmbeddingProvider> installed() {
    return Holder.REGISTRY;
  }

  /** The first installed provider that loads folders of {@code modelType}. */
  public static Optional<TextEmbeddingProvider> forModelType(String modelType) {
    for (TextEmbeddingProvider p : installed().all()) {
      if (p.modelTypes().contains(modelType)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Every {@code model_type} some installed provider loads, sorted (for messages). */
  public static Set<String> modelTypes() {
    Set<String> out = new TreeSet<>();
    for (TextEmbeddingProvider p : installed().all()) {
      out.addAll(p.modelTypes());
    }
    return out;
  }

  // Lazily built: no service loading at class initialization of callers.
  private static final class Holder {
    static final NamedRegistry<TextEmbeddingProvider> REGISTRY =
        NamedRegistry.load(
            "text embedding",
            TextEmbeddingProvider.class,
            ServiceLoader.load(TextEmbeddingProvider.class, TextEmbeddings.class.getClassLoader()));
  }
}
