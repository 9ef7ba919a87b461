package io.github.transformers4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.conformance.GradientCheck;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.weights.SafeTensors;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * T5's configuration rules and training path on small random models: every parameter receives a
 * gradient through {@code logits}, the relative position tables' gradients match central
 * differences, and dropout acts only in training.
 */
class T5Test {
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

  /** A small, awkward T5 v1.1-style map: nh·hs (15) is not C (12), the decoder is shallower. */
  private static Map<String, Object> map(String type) {
    Map<String, Object> m = new HashMap<>();
    m.put("model_type", type);
    m.put("vocab_size", 23);
    m.put("d_model", 12);
    m.put("d_kv", 5);
    m.put("d_ff", 10);
    m.put("num_heads", 3);
    m.put("num_layers", 2);
    m.put("num_decoder_layers", 1);
    m.put("relative_attention_num_buckets", 6);
    m.put("relative_attention_max_distance", 9);
    m.put("feed_forward_proj", "gated-gelu");
    m.put("tie_word_embeddings", false);
    m.put("dropout_rate", 0.1);
    return m;
  }

  @Test
  void configReadsHuggingFaceFieldsAndTheirDefaults() {
    T5Config c = T5Config.fromMap(map("mt5"));
    assertEquals(Activation.GELU_TANH, c.activation(), "gated-gelu means gelu_new");
    assertTrue(c.gatedActivation());
    assertFalse(c.tieWordEmbeddings());
    assertFalse(
        c.scaleDecoderOutputs(), "absent scale_decoder_outputs follows tie_word_embeddings false");
    assertEquals(15, c.innerDim());

    Map<String, Object> m = map("t5");
    m.remove("tie_word_embeddings");
    m.remove("num_decoder_layers");
    m.put("feed_forward_proj", "relu");
    c = T5Config.fromMap(m);
    assertTrue(c.scaleDecoderOutputs(), "absent scale_decoder_outputs: scaled unless untied");
    assertTrue(c.tieWordEmbeddings());
    assertEquals(2, c.numDecoderLayers(), "num_decoder_layers defaults to num_layers");
    assertEquals(Activation.RELU, c.activation());
    assertFalse(c.gatedActivation());

    m.put("scale_decoder_outputs", false);
    assertFalse(
        T5Config.fromMap(m).scaleDecoderOutputs(), "an explicit scale_decoder_outputs wins");
    m.put("feed_forward_proj", "gated-silu");
    assertEquals(Activation.SILU, T5Config.fromMap(m).activation());
  }

  @Test
  void unsupportedValuesAreRejectedNamingTheField() {
    Map<String, Object> m = map("t5");
    m.put("feed_forward_proj", "gated-gelu-x");
    assertMessage(m, "feed_forward_proj");
    m.put("feed_forward_proj", "glu-relu");
    assertMessage(m, "feed_forward_proj");
    m.put("feed_forward_proj", "softsign");
    assertMessage(m, "feed_forward_proj");
    m = map("t5");
    m.put("dense_act_fn", "relu");
    assertMessage(m, "dense_act_fn");
    m = map("t5");
    m.put("d_kv", 0);
    assertMessage(m, "d_kv");
    m = map("t5");
    m.put("eos_token_id", 99);
    assertMessage(m, "eos_token_id");
    m = map("t5");
    m.put("eos_token_id", java.util.List.of(1, 2));
    assertMessage(m, "eos_token_id");
    m = map("t5");
    m.put("relative_attention_num_buckets", 3);
    assertMessage(m, "relative_attention_num_buckets");
    m = map("t5");
    m.put("dropout_rate", 1.0);
    assertMessage(m, "dropout_rate");
    m = map("bart");
    assertMessage(m, "model_type");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new T5Provider().create(ops, map("mt5")));
    assertTrue(e.getMessage().contains("expected 't5'"), e.getMessage());
  }

  private static void assertMessage(Map<String, Object> m, String field) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> T5Config.fromMap(m));
    assertTrue(e.getMessage().contains(field), "message names " + field + ": " + e.getMessage());
  }

  private static final int[] SOURCE = {3, 7, 9, 11, 2, 1, 5, 0, 0};
  private static final int[] SOURCE_MASK = {1, 1, 1, 1, 1, 1, 1, 0, 0};
  private static final int[] TARGET = {0, 4, 8, 15, 16, 1, 0, 0, 0};
  private static final int[] TARGET_MASK = {1, 1, 1, 1, 1, 1, 0, 0, 0};

  @Test
  void everyParameterGetsAGradientInTraining() {
    for (String type : new String[] {"t5", "mt5"}) {
      Map<String, Object> m = map(type);
      if (type.equals("t5")) {
        m.put("feed_forward_proj", "relu");
        m.put("tie_word_embeddings", true);
      }
      T5ForConditionalGeneration model = new T5ForConditionalGeneration(ops, T5Config.fromMap(m));
      model.train(true, 42);
      Map<String, Tensor> params = model.parameters();
      Gradients g;
      try (Tape tape = ops.record()) {
        tape.watch(params.values().toArray(Tensor[]::new));
        // Rows of 9 source and 9 target ids; the loss over the targets shifted by one.
        Tensor logits = model.logits(SOURCE, SOURCE_MASK, TARGET, TARGET_MASK, 1);
        int[] labels = new int[TARGET.length];
        for (int i = 0; i < labels.length; i++) {
          labels[i] = i + 1 < labels.length && TARGET_MASK[i + 1] == 1 ? TARGET[i + 1] : -100;
        }
        Tensor loss =
            ops.crossEntropy(
                ops.reshape(logits, TARGET.length, model.vocabSize()),
                ops.ids(labels, labels.length),
                -100,
                0f);
        g = tape.backward(loss);
      }
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor grad = g.get(e.getValue());
        assertNotNull(grad, type + ": no gradient reached " + e.getKey());
        double norm = 0;
        for (float x : grad.toFloatArray()) {
          norm += x * x;
        }
        assertTrue(norm > 0, type + ": zero gradient for " + e.getKey());
      }
      assertTrue(
          params.containsKey(
              "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"));
      assertEquals(
          type.equals("mt5"),
          params.containsKey("lm_head.weight"),
          type + ": lm_head only when untied");
    }
  }

  @Test
  void relativePositionTablesGradientsMatchCentralDifferences() {
    Map<String, Object> m = map("mt5");
    m.put("dropout_rate", 0.0);
    T5ForConditionalGeneration model = new T5ForConditionalGeneration(ops, T5Config.fromMap(m));
    for (String stack : new String[] {"encoder", "decoder"}) {
      String name = stack + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight";
      Tensor table = model.parameters().get(name);
      GradientCheck.check(
          name,
          ops,
          new float[][] {table.toFloatArray()},
          new int[][] {table.shape().dims()},
          x -> {
            model.setParameter(name, x[0]);
            return model.logits(SOURCE, SOURCE_MASK, TARGET, TARGET_MASK, 1);
          },
          1e-2,
          2e-2,
          0x75L);
      model.setParameter(name, table);
    }
  }

  @Test
  void dropoutActsOnlyInTrainingAndIsSeeded() {
    T5ForConditionalGeneration model =
        new T5ForConditionalGeneration(ops, T5Config.fromMap(map("mt5")));
    float[] eval1 = model.logits(SOURCE, SOURCE_MASK, TARGET, TARGET_MASK, 1).toFloatArray();
    float[] eval2 = model.logits(SOURCE, SOURCE_MASK, TARGET, TARGET_MASK, 1).toFloatArray();
    assertEquals(0.0, TestSupport.maxAbsDiff(eval1, eval2), "evaluation is deterministic");
    model.train(true, 7);
    float[] a = model.logits(SOURCE, SOURCE_MASK, TARGET, TARGET_MASK, 1).toFloatArray();
    model.train(true, 7);
    float[] b = model.logits(SOURCE, SOURCE_MASK, TARGET, TARGET_MASK, 1).toFloatArray();
    assertEquals(0.0, TestSupport.maxAbsDiff(a, b), "the same seed drops the same elements");
    assertTrue(TestSupport.maxAbsDiff(eval1, a) > 1e-3, "training drops something");
    model.train(false, 0);
    assertEquals(
        0.0,
        TestSupport.maxAbsDiff(
            eval1, model.logits(SOURCE, SOURCE_MASK, TARGET, TARGET_MASK, 1).toFloatArray()));
  }

  @Test
  void anUntiedModelWithoutLmHeadInItsFileUsesTheSharedTable() throws Exception {
    Path dir = TestSupport.shared("models/hf-tiny/t5");
    Map<String, Object> m = new HashMap<>(HfConfig.read(dir.resolve("config.json")));
    T5ForConditionalGeneration tied = new T5ForConditionalGeneration(ops, T5Config.fromMap(m));
    m.put("tie_word_embeddings", false);
    m.put("scale_decoder_outputs", true);
    T5ForConditionalGeneration untied = new T5ForConditionalGeneration(ops, T5Config.fromMap(m));
    assertTrue(untied.parameters().containsKey("lm_head.weight"));
    try (SafeTensors w = SafeTensors.open(dir.resolve("model.safetensors"))) {
      assertFalse(w.contains("lm_head.weight"), "the t5 fixture stores no lm_head");
      tied.load(w);
      untied.load(w);
    }
    int[] src = {37, 215, 9, 40, 1};
    int[] tgt = {0, 55, 66};
    assertEquals(
        0.0,
        TestSupport.maxAbsDiff(
            tied.logits(src, null, tgt, null, 1).toFloatArray(),
            untied.logits(src, null, tgt, null, 1).toFloatArray()),
        1e-6);
  }

  @Test
  void aCheckpointOfTheOtherFeedForwardFailsNamingTheTensors() throws Exception {
    Path t5 = TestSupport.shared("models/hf-tiny/t5");
    T5ForConditionalGeneration model =
        new T5ForConditionalGeneration(
            ops, T5Config.fromMap(HfConfig.read(t5.resolve("config.json"))));
    try (SafeTensors w =
        SafeTensors.open(TestSupport.shared("models/hf-tiny/mt5").resolve("model.safetensors"))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> model.load(w));
      assertTrue(
          e.getMessage().contains("encoder.block.0.layer.1.DenseReluDense.wi.weight"),
          e.getMessage());
      assertTrue(
          e.getMessage().contains("encoder.block.0.layer.1.DenseReluDense.wi_1.weight"),
          e.getMessage());
    }
  }
}
