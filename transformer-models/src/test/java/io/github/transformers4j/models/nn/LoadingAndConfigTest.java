package io.github.transformers4j.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.bert.BertConfig;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.seq2seq.EncoderDecoderConfig;
import io.github.transformers4j.models.weights.Weights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loading checkpoints name for name with shape checks, and configurations with field errors. */
class LoadingAndConfigTest {
  private static ComputeBackend backend;
  private static Ops ops;

  @BeforeAll
  static void open() {
    backend = TestSupport.cpu(1);
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  /** An in-memory checkpoint. */
  record MapWeights(Map<String, Tensor> tensors) implements Weights {
    @Override
    public Set<String> names() {
      return tensors.keySet();
    }

    @Override
    public Shape shape(String name) {
      return tensors.get(name).shape();
    }

    @Override
    public DType storedAs(String name) {
      return DType.F32;
    }

    @Override
    public float[] floats(String name) {
      return tensors.get(name).toFloatArray();
    }
  }

  private static Gpt2Model tiny(long seed) {
    return new Gpt2Model(ops, Gpt2Config.of(11, 8, 8, 2, 2).withSeed(seed));
  }

  @Test
  void parameterNamesAreHuggingFaceNames() {
    Map<String, Tensor> p = tiny(0).parameters();
    assertTrue(p.containsKey("wte.weight") && p.containsKey("wpe.weight"));
    assertTrue(p.containsKey("h.1.attn.c_attn.weight") && p.containsKey("h.1.mlp.c_proj.bias"));
    assertTrue(p.containsKey("ln_f.weight"));
    assertEquals(Shape.of(8, 24), p.get("h.0.attn.c_attn.weight").shape(), "Conv1D (in, out)");
    assertEquals(2 + 2 * 12 + 2, p.size());
  }

  @Test
  void aRoundTripThroughWeightsReproducesTheModel() {
    Gpt2Model a = tiny(1);
    Gpt2Model b = tiny(2);
    int[] ids = {1, 2, 3};
    Map<String, Tensor> withPrefix = new LinkedHashMap<>();
    a.parameters().forEach((n, t) -> withPrefix.put("transformer." + n, t));
    withPrefix.put("lm_head.weight", a.parameters().get("wte.weight"));
    withPrefix.put("transformer.h.0.attn.bias", ops.zeros(1, 1, 8, 8));
    b.load(new MapWeights(withPrefix));
    assertArrayEquals(a.logits(ids).toFloatArray(), b.logits(ids).toFloatArray());
  }

  @Test
  void aWrongShapeNamesTheTensorAndBothShapes() {
    Map<String, Tensor> w = new LinkedHashMap<>(tiny(1).parameters());
    w.put("h.0.attn.c_attn.weight", ops.zeros(24, 8));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> tiny(2).load(new MapWeights(w)));
    assertTrue(
        e.getMessage().contains("tensor 'h.0.attn.c_attn.weight': expected shape (8, 24) but the checkpoint has (24, 8)"),
        e.getMessage());
  }

  @Test
  void missingAndUnexpectedTensorsAreNamed() {
    Map<String, Tensor> w = new LinkedHashMap<>(tiny(1).parameters());
    w.remove("h.1.ln_2.bias");
    w.put("h.1.extra", ops.zeros(3));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> tiny(2).load(new MapWeights(w)));
    assertTrue(e.getMessage().contains("missing tensor 'h.1.ln_2.bias' of shape (8)"), e.getMessage());
    assertTrue(e.getMessage().contains("unexpected tensor 'h.1.extra' of shape (3)"), e.getMessage());
    Gpt2Model untouched = tiny(2);
    assertArrayEquals(
        untouched.parameters().get("wte.weight").toFloatArray(),
        tiny(2).parameters().get("wte.weight").toFloatArray(),
        "a failed load replaces nothing");
  }

  @Test
  void setParameterChecksNameAndShape() {
    Gpt2Model m = tiny(0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> m.setParameter("h.0.ln_1.weight", ops.zeros(9)));
    assertTrue(e.getMessage().contains("'h.0.ln_1.weight'") && e.getMessage().contains("(8)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> m.setParameter("h.9.ln_1.weight", ops.zeros(8)));
    assertTrue(e.getMessage().contains("h.9.ln_1.weight"), e.getMessage());
  }

  @Test
  void configurationsNameTheOffendingField() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BertConfig.of(100, 384, 2, 5, 1536));
    assertEquals(
        "hidden size 384 (hidden_size) must be divisible by heads 5 (num_attention_heads)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Gpt2Config.of(100, 16, 30, 2, 4));
    assertTrue(e.getMessage().startsWith("hidden size 30 (n_embd) must be divisible by heads 4"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EncoderDecoderConfig.original(100, 30, 4, 64, 2, 32));
    assertTrue(e.getMessage().contains("d_model"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Gpt2Config.of(0, 16, 32, 2, 4));
    assertEquals("vocab_size must be > 0, got 0", e.getMessage());
  }

  private static void e0(org.junit.jupiter.api.function.Executable call, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
  }

  @Test
  void huggingFaceConfigsAreReadAndUnsupportedValuesRejected() throws Exception {
    Map<String, Object> gpt2 =
        HfConfig.read(TestSupport.shared("models/tiny-random-gpt2/config.json"));
    Gpt2Config c = Gpt2Config.fromMap(gpt2);
    assertEquals(32, c.nEmbd());
    assertEquals(128, c.nInner(), "n_inner null means 4·n_embd");
    assertEquals(1e-5f, c.layerNormEpsilon());
    assertEquals(((Number) gpt2.get("attn_pdrop")).floatValue(), c.attnPdrop());

    Map<String, Object> bad = new LinkedHashMap<>(gpt2);
    bad.put("attn_pdrop", 1.0);
    e0(() -> Gpt2Config.fromMap(bad), "config 'gpt2': attn_pdrop must be in [0, 1), got 1.0");
    bad.put("attn_pdrop", 0.1);
    bad.put("activation_function", "mish");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gpt2Config.fromMap(bad));
    assertTrue(e.getMessage().contains("activation_function 'mish' is not supported"), e.getMessage());
    bad.put("activation_function", "gelu_new");
    bad.put("scale_attn_by_inverse_layer_idx", true);
    e = assertThrows(IllegalArgumentException.class, () -> Gpt2Config.fromMap(bad));
    assertTrue(e.getMessage().contains("scale_attn_by_inverse_layer_idx"), e.getMessage());
    bad.remove("scale_attn_by_inverse_layer_idx");
    bad.put("n_head", "four");
    e = assertThrows(IllegalArgumentException.class, () -> Gpt2Config.fromMap(bad));
    assertEquals("config 'gpt2': n_head must be an integer, got \"four\"", e.getMessage());

    Map<String, Object> bert =
        HfConfig.parse(
            "{\"model_type\":\"bert\",\"vocab_size\":30522,\"hidden_size\":384,\"num_hidden_layers\":6,"
                + "\"num_attention_heads\":12,\"intermediate_size\":1536,\"hidden_act\":\"gelu\","
                + "\"max_position_embeddings\":512,\"type_vocab_size\":2,\"layer_norm_eps\":1e-12}");
    BertConfig b = BertConfig.fromMap(bert);
    assertEquals(384, b.hiddenSize());
    assertEquals(1e-12f, b.layerNormEps());
    assertEquals(0.1f, b.attentionProbsDropoutProb(), "HF's default");
    bert.put("attention_probs_dropout_prob", -0.5);
    e0(() -> BertConfig.fromMap(bert),
        "config 'bert': attention_probs_dropout_prob must be in [0, 1), got -0.5");
    bert.put("attention_probs_dropout_prob", 0.0);
    assertEquals(0f, BertConfig.fromMap(bert).attentionProbsDropoutProb());
    bert.put("num_attention_heads", 5);
    e = assertThrows(IllegalArgumentException.class, () -> BertConfig.fromMap(bert));
    assertEquals(
        "config 'bert': hidden size 384 (hidden_size) must be divisible by heads 5 (num_attention_heads)",
        e.getMessage());
    bert.put("num_attention_heads", 12);
    bert.put("position_embedding_type", "relative_key");
    e = assertThrows(IllegalArgumentException.class, () -> BertConfig.fromMap(bert));
    assertTrue(e.getMessage().contains("position_embedding_type 'relative_key'"), e.getMessage());
  }

  @Test
  void architecturesAreBuiltFromConfigsThroughTheRegistry() throws Exception {
    Map<String, Object> gpt2 =
        HfConfig.read(TestSupport.shared("models/tiny-random-gpt2/config.json"));
    Model m = Plugins.architectures().forName((String) gpt2.get("model_type")).create(ops, gpt2);
    assertEquals("gpt2", m.architecture());
    assertTrue(m instanceof Gpt2Model);
    Model t =
        Plugins.architectures().forName("transformer").create(ops,
            HfConfig.parse("{\"vocab_size\":50,\"d_model\":16,\"encoder_attention_heads\":2,"
                + "\"encoder_ffn_dim\":32,\"encoder_layers\":1,\"decoder_layers\":1,"
                + "\"max_position_embeddings\":32,\"positions\":\"rotary\",\"normalize_before\":true}"));
    assertEquals("transformer", t.architecture());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Plugins.architectures().forName("llama"));
    assertTrue(e.getMessage().contains("gpt2") && e.getMessage().contains("bert"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Plugins.attentions().forName("flash"));
    assertTrue(e.getMessage().contains("sdpa"), e.getMessage());
  }
}
