package io.github.transformers4j.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.data.TextTokenizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ClipConfig} reading and writing Hugging Face's config, its checks, and text inputs. */
class ClipConfigTest {

  private static Map<String, Object> fixtureConfig() throws Exception {
    return HfConfig.read(ClipFixture.dir().resolve("config.json"));
  }

  @Test
  void readsTheFixtureAndWritesWhatItReads() throws Exception {
    ClipConfig c = ClipConfig.fromMap(fixtureConfig());
    assertEquals(16, c.projectionDim());
    assertEquals(2.6592, c.logitScaleInit(), 1e-9);
    assertEquals(49407, c.text().eosTokenId());
    assertEquals(49407, c.text().padTokenId());
    assertEquals(37, c.text().intermediateSize());
    assertEquals(8, c.vision().patchSize());
    assertEquals(17, c.vision().positions());
    assertEquals("quick_gelu", c.vision().hiddenAct());
    Map<String, Object> written = c.toMap();
    assertEquals(List.of("CLIPModel"), written.get("architectures"));
    @SuppressWarnings("unchecked")
    Map<String, Object> text = (Map<String, Object>) written.get("text_config");
    assertEquals(1e-5, text.get("layer_norm_eps"), "written as Hugging Face writes it, not widened");
    assertEquals(c, ClipConfig.fromMap(written));
    // Through JSON text, as a saved config.json is read back.
    assertEquals(c, ClipConfig.fromMap(HfConfig.parse(new com.google.gson.Gson().toJson(written))));
  }

  private static String error(Map<String, Object> config) {
    return assertThrows(IllegalArgumentException.class, () -> ClipConfig.fromMap(config)).getMessage();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> with(String tower, String field, Object value) throws Exception {
    Map<String, Object> m = fixtureConfig();
    if (tower == null) {
      m.put(field, value);
    } else {
      Map<String, Object> t = new HashMap<>((Map<String, Object>) m.get(tower));
      t.put(field, value);
      m.put(tower, t);
    }
    return m;
  }

  @Test
  void badValuesAreNamed() throws Exception {
    String e = error(with("vision_config", "patch_size", 5));
    assertTrue(e.contains("vision_config.image_size 32 must be a multiple of vision_config.patch_size 5"), e);
    e = error(with("text_config", "num_attention_heads", 5));
    assertTrue(e.contains("text_config.hidden_size 32 must be divisible by text_config.num_attention_heads 5"), e);
    e = error(with("text_config", "hidden_act", "swishy"));
    assertTrue(e.contains("text_config.hidden_act 'swishy' is not supported") && e.contains("quick_gelu"), e);
    e = error(with("text_config", "eos_token_id", 60000));
    assertTrue(e.contains("text_config.eos_token_id 60000 is outside the vocabulary [0, 49408)"), e);
    e = error(with(null, "projection_dim", 0));
    assertTrue(e.contains("projection_dim must be > 0, got 0"), e);
    e = error(with(null, "model_type", "siglip"));
    assertTrue(e.contains("model_type is 'siglip', expected 'clip'"), e);
    e = error(with(null, "vision_config", "big"));
    assertTrue(e.contains("vision_config must be an object"), e);
  }

  @Test
  void initializesAsHuggingFaceDoes() {
    try (ComputeBackend backend = ClipFixture.cpu(1)) {
      Ops ops = new Ops(backend);
      ClipConfig config =
          new ClipConfig(
                  ClipTextConfig.of(64, 2, 4, 128), ClipVisionConfig.of(32, 8, 48, 2, 4, 96), 24,
                  ClipConfig.LOGIT_SCALE_INIT)
              .withSeed(7);
      ClipModel clip = new ClipModel(ops, config);
      assertEquals((float) Math.log(1 / 0.07), clip.logitScale().item(), 1e-3);
      Map<String, io.github.transformers4j.api.Tensor> p = clip.parameters();
      // The std of each initialized tensor against _init_weights'.
      check(p, "text_model.embeddings.token_embedding.weight", 0.02);
      check(p, "vision_model.embeddings.class_embedding", Math.pow(48, -0.5));
      check(p, "vision_model.encoder.layers.0.self_attn.q_proj.weight", Math.pow(48, -0.5) * 0.5);
      check(p, "vision_model.encoder.layers.0.self_attn.out_proj.weight", Math.pow(48, -0.5));
      check(p, "text_model.encoder.layers.1.mlp.fc1.weight", Math.pow(128, -0.5));
      check(p, "visual_projection.weight", Math.pow(48, -0.5));
      assertEquals(
          new ClipModel(ops, config).parameters().get("text_projection.weight").toFloatArray()[5],
          p.get("text_projection.weight").toFloatArray()[5],
          "the same seed gives the same weights");
    }
  }

  private static void check(Map<String, io.github.transformers4j.api.Tensor> p, String name, double std) {
    float[] v = p.get(name).toFloatArray();
    double s = Math.sqrt(Arrays.stream(toDouble(v)).map(x -> x * x).sum() / v.length);
    // The sample std of n normal draws has a relative spread of about 1/sqrt(2n): allow 4 of it.
    double tol = 4 * std / Math.sqrt(2.0 * v.length);
    assertTrue(Math.abs(s - std) < tol, name + ": std " + s + ", expected " + std + " ± " + tol);
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  /** Words to ids 10.. and a CLIP-like template (start 1, end 2), as a tokenizer adapter gives. */
  private static TextTokenizer words(boolean template) {
    return new TextTokenizer() {
      @Override
      public int[] encode(String text) {
        String[] w = text.isEmpty() ? new String[0] : text.split(" ");
        int[] ids = new int[w.length + (template ? 2 : 0)];
        int o = template ? 1 : 0;
        for (int i = 0; i < w.length; i++) {
          ids[o + i] = 10 + w[i].length();
        }
        if (template) {
          ids[0] = 1;
          ids[ids.length - 1] = 2;
        }
        return ids;
      }

      @Override
      public String decode(int[] ids) {
        return "";
      }

      @Override
      public int vocabSize() {
        return 100;
      }

      @Override
      public SpecialTokens specials() {
        return new SpecialTokens(2, 1, 2, -1, -1);
      }
    };
  }

  @Test
  void textInputsPadWithEndAndKeepItWhenTruncating() {
    for (boolean template : new boolean[] {true, false}) {
      ClipTextInputs in = ClipTextInputs.encode(words(template), List.of("a bb", "a bb ccc dddd eeeee", ""), 5);
      assertEquals(3, in.ids().rows());
      assertEquals(5, in.ids().cols());
      assertArrayEquals(
          new int[] {1, 11, 12, 2, 2, 1, 11, 12, 13, 2, 1, 2, 2, 2, 2}, in.ids().data(), "template " + template);
      assertArrayEquals(
          new int[] {1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, in.mask().data(), "template " + template);
    }
    assertThrows(IllegalArgumentException.class, () -> ClipTextInputs.encode(words(true), List.of(), 77));
  }
}
