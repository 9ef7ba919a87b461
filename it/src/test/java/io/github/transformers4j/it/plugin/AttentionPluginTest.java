package io.github.transformers4j.it.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.gpt.Gpt2Model;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A plugin jar adds an attention variant without touching the models module: {@link
 * CountingAttention} is found through ServiceLoader, and a GPT-2 built from a plain config that
 * names it ({@code attn_implementation: counting}) calls it once per layer and step, and computes
 * what the built-in {@code sdpa} computes.
 */
class AttentionPluginTest {

  private static Map<String, Object> config(String attention) {
    Map<String, Object> c = new HashMap<>();
    c.put("model_type", "gpt2");
    c.put("vocab_size", 50);
    c.put("n_positions", 32);
    c.put("n_embd", 16);
    c.put("n_layer", 3);
    c.put("n_head", 2);
    c.put("attn_implementation", attention);
    c.put("seed", 5);
    return c;
  }

  @Test
  void aModelBuiltFromAConfigUsesThePluginAttention() {
    assertTrue(
        Plugins.attentions().names().contains("counting"),
        "registered attentions: " + Plugins.attentions().names());
    try (ComputeBackend backend =
        Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"))) {
      Ops ops = new Ops(backend);
      Model plugin = Plugins.architectures().forName("gpt2").create(ops, config("counting"));
      Model builtIn = Plugins.architectures().forName("gpt2").create(ops, config("sdpa"));
      int[] ids = {3, 1, 4, 1, 5, 9};

      CountingAttention.CALLS.set(0);
      float[] viaPlugin = ((Gpt2Model) plugin).logits(ids).toFloatArray();
      assertEquals(3, CountingAttention.CALLS.get(), "one call per layer for one forward");
      float[] viaSdpa = ((Gpt2Model) builtIn).logits(ids).toFloatArray();
      assertEquals(3, CountingAttention.CALLS.get(), "the sdpa model does not call the plugin");
      double worst = 0;
      for (int i = 0; i < viaSdpa.length; i++) {
        worst = Math.max(worst, Math.abs(viaSdpa[i] - viaPlugin[i]));
      }
      assertTrue(worst < 1e-5, "plugin vs sdpa logits differ by " + worst);

      // Generation with the cache: 3 layers × (1 prompt step + 4 decode steps).
      CountingAttention.CALLS.set(0);
      new Generator(((Gpt2Model) plugin)::session).generate(ids, GenerationConfig.greedy(5));
      assertEquals(15, CountingAttention.CALLS.get());
    }
  }
}
