package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import io.github.transformers4j.models.config.ConfigReader;
import io.github.transformers4j.models.layers.SdpaAttention;
import java.util.List;
import java.util.Map;

/**
 * The towers alone as architectures: {@code clip_text_model} ({@code CLIPTextModel} folders give a
 * {@link ClipTextTransformer}, {@code CLIPTextModelWithProjection} ones a {@link
 * ClipTextModelWithProjection}) and {@code clip_vision_model} (likewise for vision), the class
 * chosen by {@code architectures[0]}.
 */
public final class ClipTowerProviders {
  private ClipTowerProviders() {}

  private static String head(Map<String, ?> config) {
    return config.get("architectures") instanceof List<?> l && !l.isEmpty() ? String.valueOf(l.get(0)) : "";
  }

  private static String attention(ConfigReader c) {
    return c.string("attn_implementation", SdpaAttention.NAME);
  }

  /** {@code clip_text_model}. */
  public static final class Text implements ArchitectureProvider {
    @Override
    public String name() {
      return ClipTextTransformer.ARCHITECTURE;
    }

    @Override
    public Model create(Ops ops, Map<String, ?> config) {
      ClipTextConfig c = ClipTextConfig.fromMap(config);
      ConfigReader r = new ConfigReader(name(), config);
      long seed = r.integer("seed", 0);
      return head(config).endsWith("WithProjection")
          ? new ClipTextModelWithProjection(ops, c, attention(r), seed)
          : new ClipTextTransformer(ops, c, attention(r), seed);
    }
  }

  /** {@code clip_vision_model}. */
  public static final class Vision implements ArchitectureProvider {
    @Override
    public String name() {
      return ClipVisionTransformer.ARCHITECTURE;
    }

    @Override
    public Model create(Ops ops, Map<String, ?> config) {
      ClipVisionConfig c = ClipVisionConfig.fromMap(config);
      ConfigReader r = new ConfigReader(name(), config);
      long seed = r.integer("seed", 0);
      return head(config).endsWith("WithProjection")
          ? new ClipVisionModelWithProjection(ops, c, attention(r), seed)
          : new ClipVisionTransformer(ops, c, attention(r), seed);
    }
  }
}
