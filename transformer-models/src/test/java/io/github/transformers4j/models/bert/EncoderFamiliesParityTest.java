package io.github.transformers4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.HfFixture;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.MaskedLm;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import io.github.transformers4j.models.tasks.TokenClassifier;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RoBERTa and ELECTRA against Hugging Face transformers 5.18 on the tiny random fixtures of {@code
 * testdata/models/hf-tiny/} (std-0.15 weights): {@code Pretrained.load} builds the head that
 * {@code architectures[0]} names, and the last hidden state and the head's logits agree within
 * 1e-4 at every position of every case, padded positions included (Hugging Face computes them
 * too: padding is masked only as a key).
 */
class EncoderFamiliesParityTest {
  private static final double TOLERANCE = 1e-4;
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

  /** Loads {@code name}, checks its class, and compares hidden states and logits on every case. */
  private static <M extends EncoderWithHead> M check(
      String name, Class<M> type, BiFunction<M, JsonObject, Tensor> logits) throws Exception {
    HfFixture f = HfFixture.load(name);
    PretrainedModel loaded = Pretrained.load(ops, f.dir());
    M model = assertInstanceOf(type, loaded, name + ": the class architectures[0] names");
    double worstHidden = 0;
    double worstLogits = 0;
    for (JsonObject c : f.cases()) {
      int[] ids = HfFixture.ints(c.get("input_ids"));
      int[] mask = HfFixture.ints(c.get("attention_mask"));
      int b = HfFixture.rows(c.get("input_ids"));
      float[] hidden = model.baseModel().hidden(ids, null, mask, b).toFloatArray();
      double dh = TestSupport.maxAbsDiff(HfFixture.floats(c.get("last_hidden_state")), hidden);
      double dl =
          TestSupport.maxAbsDiff(HfFixture.floats(c.get("logits")), logits.apply(model, c).toFloatArray());
      worstHidden = Math.max(worstHidden, dh);
      worstLogits = Math.max(worstLogits, dl);
      assertTrue(dh <= TOLERANCE, name + ": max |hidden diff| " + dh + " > " + TOLERANCE + " (B=" + b + ")");
      assertTrue(dl <= TOLERANCE, name + ": max |logit diff| " + dl + " > " + TOLERANCE + " (B=" + b + ")");
    }
    System.out.printf(
        "[EncoderFamiliesParityTest] %s: max |hidden diff| %.3g, max |logit diff| %.3g over %d cases"
            + " (tolerance %.0e)%n",
        name, worstHidden, worstLogits, f.cases().size(), TOLERANCE);
    return model;
  }

  private static int[] ids(JsonObject c) {
    return HfFixture.ints(c.get("input_ids"));
  }

  private static int[] mask(JsonObject c) {
    return HfFixture.ints(c.get("attention_mask"));
  }

  private static int rows(JsonObject c) {
    return HfFixture.rows(c.get("input_ids"));
  }

  @Test
  void robertaMaskedLmMatchesHuggingFace() throws Exception {
    RobertaForMaskedLM m =
        check("roberta", RobertaForMaskedLM.class, (x, c) -> x.logits(ids(c), mask(c), rows(c)));
    MaskedLm task = m;
    assertEquals(64, task.maxPositions(), "66 positions less pad_token_id + 1");
    assertEquals("roberta", m.architecture());
  }

  @Test
  void electraDiscriminatorMatchesHuggingFace() throws Exception {
    ElectraForPreTraining m =
        check("electra", ElectraForPreTraining.class, (x, c) -> x.logits(ids(c), mask(c), rows(c)));
    assertEquals(16, m.config().embeddingSize());
  }

  @Test
  void electraGeneratorMatchesHuggingFace() throws Exception {
    MaskedLm m =
        check("electra-generator", ElectraForMaskedLM.class, (x, c) -> x.logits(ids(c), mask(c), rows(c)));
    assertEquals(64, m.maxPositions());
  }

  @Test
  void robertaSequenceClassifierMatchesHuggingFace() throws Exception {
    RobertaForSequenceClassification m =
        check(
            "roberta-seqcls", RobertaForSequenceClassification.class,
            (x, c) -> x.logits(ids(c), mask(c), rows(c)));
    SequenceClassifier task = m;
    assertEquals(List.of("negative", "neutral", "positive"), task.labels());
  }

  @Test
  void electraTokenClassifierMatchesHuggingFace() throws Exception {
    BertForTokenClassification m =
        check(
            "electra-tokcls", BertForTokenClassification.class,
            (x, c) -> x.logits(ids(c), mask(c), rows(c)));
    TokenClassifier task = m;
    assertEquals(List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC"), task.labels());
    assertEquals("electra", m.architecture());
  }

  @Test
  void aFolderWithAHeadLoadsAsItsBareEncoder() throws Exception {
    HfFixture f = HfFixture.load("roberta");
    BertModel encoder = Pretrained.load(ops, f.dir(), BertModel.class);
    JsonObject c = f.cases().get(1);
    double d =
        TestSupport.maxAbsDiff(
            HfFixture.floats(c.get("last_hidden_state")),
            encoder.hidden(ids(c), null, mask(c), rows(c)).toFloatArray());
    assertTrue(d <= TOLERANCE, "encoder of a RobertaForMaskedLM folder: max |hidden diff| " + d);
  }
}
