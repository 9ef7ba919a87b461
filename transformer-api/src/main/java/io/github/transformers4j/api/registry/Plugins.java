package io.github.transformers4j.api.registry;

import io.github.transformers4j.api.spi.ArchitectureProvider;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.api.spi.LayerProvider;
import java.util.ServiceLoader;

/**
 * The installed attention variants, layers and architectures, each a {@link NamedRegistry} loaded
 * through {@link ServiceLoader} on first use.
 */
public final class Plugins {
  private Plugins() {}

  // One holder per kind: asking for attentions does not load the architectures.
  private static final class Attentions {
    static final NamedRegistry<AttentionProvider> INSTANCE =
        NamedRegistry.load(
            "attention",
            AttentionProvider.class,
            ServiceLoader.load(AttentionProvider.class, Plugins.class.getClassLoader()));
  }

  private static final class Layers {
    static final NamedRegistry<LayerProvider> INSTANCE =
        NamedRegistry.load(
            "layer",
            LayerProvider.class,
            ServiceLoader.load(LayerProvider.class, Plugins.class.getClassLoader()));
  }

  private static final class Architectures {
    static final NamedRegistry<ArchitectureProvider> INSTANCE =
        NamedRegistry.load(
            "architecture",
            ArchitectureProvider.class,
            ServiceLoader.load(ArchitectureProvider.class, Plugins.class.getClassLoader()));
  }

  /** The attention variants ({@code sdpa}, {@code eager}, plugins). */
  public static NamedRegistry<AttentionProvider> attentions() {
    return Attentions.INSTANCE;
  }

  /** The named layers ({@code layer_norm}, {@code rms_norm}, plugins). */
  public static NamedRegistry<LayerProvider> layers() {
    return Layers.INSTANCE;
  }

  /** The architectures ({@code gpt2}, {@code bert}, {@code transformer}, plugins). */
  public static NamedRegistry<ArchitectureProvider> architectures() {
    return Architectures.INSTANCE;
  }
}
