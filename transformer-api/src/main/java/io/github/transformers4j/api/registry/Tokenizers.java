package io.github.transformers4j.api.registry;

import io.github.transformers4j.api.spi.TokenizerProvider;
import java.util.ServiceLoader;

/** The tokenizer types installed on the module path or class path, by name. */
public final class Tokenizers {
  private Tokenizers() {}

  /** The installed tokenizer providers (built once, on first use). */
  public static NamedRegistry<TokenizerProvider> installed() {
    return Holder.REGISTRY;
  }

  // Lazily built, as Lucene's NamedSPILoader holders: no service loading at class initialization.
  private static final class Holder {
    static final NamedRegistry<TokenizerProvider> REGISTRY =
        NamedRegistry.load(
            "tokenizer", TokenizerProvider.class, ServiceLoader.load(TokenizerProvider.class));
  }
}
