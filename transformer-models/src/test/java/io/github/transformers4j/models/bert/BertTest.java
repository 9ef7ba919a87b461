package io.github.transformers4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.TestSupport;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The BERT encoder, its heads and pooling on a small random model. */
class BertTest {
  private static ComputeBackend backend;
  private static Ops ops;
  private static final BertConfig CONFIG = BertConfig.of(40, 24, 2, 3, 48).withNumLabels(5);

  @BeforeAll
  static void open() {
    backend = TestSupport.cpu(1);
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  @Test
  void rightPaddingDoesNotChangeTheRealTokens() {
    BertModel bert = new BertModel(ops, CONFIG);
    int[] alone = {2, 7, 9, 11};
    int[] batch = {2, 7, 9, 11, 0, 0, 3, 4, 5, 6, 7, 8};
    int[] mask = {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1};
    float[] h1 = bert.hidden(alone, null, null, 1).toFloatArray();
    Tensor hb = bert.hidden(batch, null, mask, 2);
    float[] row0 = Arrays.copyOf(hb.toFloatArray(), 4 * 24);
    assertTrue(TestSupport.maxAbsDiff(h1, row0) < 1e-5, "padded row vs alone");
    float[] meanAlone = Pooling.mean(ops, bert.hidden(alone, null, null, 1), null).toFloatArray();
    float[] meanPadded = Arrays.copyOf(Pooling.mean(ops, hb, mask).toFloatArray(), 24);
    assertTrue(TestSupport.maxAbsDiff(meanAlone, meanPadded) < 1e-5, "mean pooling ignores padding");
    float[] cls = Pooling.cls(ops, hb).toFloatArray();
    assertTrue(TestSupport.maxAbsDiff(Arrays.copyOf(h1, 24), Arrays.copyOf(cls, 24)) < 1e-5, "CLS");
    assertEquals(Shape.of(2, 24), bert.pooled(hb).shape());
  }

  @Test
  void headsHaveTheirShapesAndHuggingFaceNames() {
    int[] ids = {2, 7, 9, 11, 3, 4, 5, 6};
    BertForMaskedLM mlm = new BertForMaskedLM(ops, CONFIG);
    assertEquals(Shape.of(2, 4, 40), mlm.logits(ids, null, null, 2).shape());
    assertTrue(mlm.parameters().containsKey("cls.predictions.transform.LayerNorm.weight"));
    assertTrue(mlm.parameters().containsKey("bert.encoder.layer.1.attention.output.LayerNorm.bias"));
    assertTrue(mlm.parameters().containsKey("bert.encoder.layer.1.intermediate.dense.weight"));
    assertTrue(mlm.parameters().containsKey("bert.encoder.layer.1.output.dense.weight"));
    assertTrue(!mlm.parameters().containsKey("bert.pooler.dense.weight"), "MLM has no pooler");
    BertForSequenceClassification seq = new BertForSequenceClassification(ops, CONFIG);
    assertEquals(Shape.of(2, 5), seq.logits(ids, null, null, 2).shape());
    assertTrue(seq.parameters().containsKey("bert.pooler.dense.weight"));
    BertForTokenClassification tok = new BertForTokenClassification(ops, CONFIG);
    assertEquals(Shape.of(2, 4, 5), tok.logits(ids, null, null, 2).shape());
    assertEquals(
        Shape.of(24, 24),
        new BertModel(ops, CONFIG).parameters().get("encoder.layer.0.attention.self.query.weight").shape(),
        "nn.Linear (out, in)");
  }

  @Test
  void gradientsReachEveryParameterOfAClassifier() {
    BertForSequenceClassification seq = new BertForSequenceClassification(ops, CONFIG);
    seq.train(true, 3L);
    try (var tape = ops.record()) {
      tape.watch(seq.parameters().values().toArray(Tensor[]::new));
      Tensor loss =
          ops.crossEntropy(
              seq.logits(new int[] {2, 7, 9, 11, 3, 4, 5, 6}, null, new int[] {1, 1, 1, 0, 1, 1, 1, 1}, 2),
              ops.ids(new int[] {1, 4}, 2));
      var grads = tape.backward(loss);
      for (var e : seq.parameters().entrySet()) {
        if (e.getKey().startsWith("bert.embeddings.token_type_embeddings")) {
          continue; // only type 0 is used, row 1 gets no gradient but the tensor still does
        }
        assertTrue(grads.get(e.getValue()) != null, "no gradient for " + e.getKey());
      }
    }
  }
}
