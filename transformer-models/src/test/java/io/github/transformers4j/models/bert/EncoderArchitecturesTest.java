package io.github.transformers4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.opt.OptConfig;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which model a BERT-family {@code config.json} builds ({@code architectures[0]}), and the messages
 * of the configurations the encoder and OPT families refuse.
 */
class EncoderArchitecturesTest {
  private static ComputeBackend backend;
  private static Ops ops;

  @BeforeAll
  static void open() {
    backend = TestSupport.reference();
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static Map<String, Object> config(String type, String extra) {
    return HfConfig.parse(
        "{\"model_type\":\"" + type + "\",\"vocab_size\":50,\"hidden_size\":8,"
            + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"intermediate_size\":16,"
            + "\"max_position_embeddings\":20" + extra + "}");
  }

  private static Model build(String type, String extra) {
    return Plugins.architectures().forName(type).create(ops, config(type, extra));
  }

  @Test
  void architecturesZeroPicksTheHead() {
    assertInstanceOf(BertModel.class, build("bert", ""));
    assertInstanceOf(BertModel.class, build("roberta", ",\"architectures\":[\"RobertaModel\"]"));
    assertInstanceOf(BertForMaskedLM.class, build("bert", ",\"architectures\":[\"BertForMaskedLM\"]"));
    assertInstanceOf(BertForMaskedLM.class, build("bert", ",\"architectures\":[\"BertForPreTraining\"]"));
    assertInstanceOf(
        BertForSequenceClassification.class,
        build("bert", ",\"architectures\":[\"BertForSequenceClassification\"]"));
    assertInstanceOf(
        BertForTokenClassification.class,
        build("roberta", ",\"architectures\":[\"RobertaForTokenClassification\"]"));
    assertInstanceOf(
        ElectraForPreTraining.class,
        build("electra", ",\"embedding_size\":4,\"architectures\":[\"ElectraForPreTraining\"]"));
    SequenceClassifier s =
        assertInstanceOf(
            RobertaForSequenceClassification.class,
            build(
                "electra",
                ",\"architectures\":[\"ElectraForSequenceClassification\"],"
                    + "\"id2label\":{\"0\":\"no\",\"1\":\"yes\",\"2\":\"maybe\"}"));
    assertEquals(List.of("no", "yes", "maybe"), s.labels());
    assertEquals("electra", s.architecture());
  }

  @Test
  void anUnknownHeadGivesTheBareEncoder() {
    // The logged note lists the heads known; the encoder still loads (its loading skips head tensors).
    assertInstanceOf(
        BertModel.class, build("bert", ",\"architectures\":[\"BertForQuestionAnswering\"]"));
    assertTrue(EncoderArchitectures.heads("roberta").containsKey("RobertaForMaskedLM"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> build("bert", ",\"architectures\":\"BertModel\""));
    assertTrue(e.getMessage().contains("architectures must be a list"), e.getMessage());
  }

  @Test
  void refusedConfigurationsAreNamed() {
    BertConfig b = BertConfig.of(50, 8, 1, 2, 16);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new BertConfig(
                    50, 8, 1, 2, 16, b.hiddenAct(), 0f, 0f, 20, 2, 1e-12f, 0.02, 2, "sdpa", 0L,
                    "bert", 4, 0));
    assertEquals(
        "embedding_size 4 differs from hidden_size 8, which only ELECTRA supports", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> build("roberta", ",\"pad_token_id\":19"));
    assertEquals(
        "config 'roberta': pad_token_id 19 leaves no position in max_position_embeddings 20"
            + " (RoBERTa's positions start at pad_token_id + 1)",
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BertConfig.fromMap(config("roberta", ""), "electra"));
    assertEquals("config 'electra': model_type is 'roberta', expected 'electra'", e.getMessage());
    BertModel roberta = assertInstanceOf(BertModel.class, build("roberta", ""));
    e =
        assertThrows(
            IllegalArgumentException.class, () -> roberta.hidden(new int[19], null, null, 1));
    assertTrue(e.getMessage().contains("less pad_token_id + 1 (18 tokens)"), e.getMessage());
  }

  @Test
  void optConfigurationsAreReadAndRefusedByName() {
    Map<String, Object> opt =
        HfConfig.parse(
            "{\"model_type\":\"opt\",\"vocab_size\":50,\"hidden_size\":8,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":2,\"ffn_dim\":16,\"max_position_embeddings\":20,"
                + "\"word_embed_proj_dim\":4,\"do_layer_norm_before\":false}");
    OptConfig c = OptConfig.fromMap(opt);
    assertTrue(c.projects() && !c.finalLayerNorm(), c.toString());
    opt.put("enable_bias", false);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OptConfig.fromMap(opt));
    assertTrue(e.getMessage().startsWith("config 'opt': enable_bias = false"), e.getMessage());
    opt.remove("enable_bias");
    opt.put("eos_token_id", 50);
    e = assertThrows(IllegalArgumentException.class, () -> OptConfig.fromMap(opt));
    assertEquals("config 'opt': eos_token_id 50 is outside the vocabulary [0, 50)", e.getMessage());
  }
}
