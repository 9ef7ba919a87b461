package io.github.transformers4j.training.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.Objectives;
import io.github.transformers4j.training.TestOps;
import io.github.transformers4j.training.TinyLm;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.optim.ParameterSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectivesTest {
  final Ops ops = TestOps.reference();

  @Test
  void serviceLoaderFindsTheBuiltInsAndRejectsUnknownOptions() {
    var reg = Objectives.installed();
    assertEquals(
        new java.util.TreeSet<>(List.of("classify", "clm", "mlm", "seq2seq", "tokens")),
        reg.names());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> reg.forName("clm").create(Map.of("bogus", "1"), SpecialTokens.NONE, 10));
    assertTrue(e.getMessage().contains("bogus"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> reg.forName("nope"));
  }

  /** log-softmax by hand, for checking which position predicts which label. */
  static double nll(float[] logits, int row, int v, int label) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < v; j++) {
      max = Math.max(max, logits[row * v + j]);
    }
    double s = 0;
    for (int j = 0; j < v; j++) {
      s += Math.exp(logits[row * v + j] - max);
    }
    return -(logits[row * v + label] - max - Math.log(s));
  }

  @Test
  void causalLmPredictsTheNextTokenAndIgnoresPadding() {
    TinyLm m = new TinyLm(ops, 10, 4, 10, 0f, 3);
    int[] ids = {1, 2, 3, 4, 5, 6, 7, 0};
    int[] mask = {1, 1, 1, 1, 1, 1, 1, 0};
    Batch batch = new Batch(new IntGrid(2, 4, ids), new IntGrid(2, 4, mask), null, null);
    var loss = new CausalLm(true).loss(ops, m, batch, Forward.eval(0));
    float[] logits =
        m.forward(ops, ops.ids(new int[] {1, 2, 3, 5, 6, 7}, 2, 3), null, Forward.eval(0))
            .toFloatArray();
    // Row 0: 1→2, 2→3, 3→4; row 1: 5→6, 6→7, 7→pad (ignored).
    int[][] pairs = {{0, 2}, {1, 3}, {2, 4}, {3, 6}, {4, 7}};
    double sum = 0;
    for (int[] p : pairs) {
      sum += nll(logits, p[0], 10, p[1]);
    }
    assertEquals(sum / 5, loss.value().item(), 1e-5);
    assertEquals(5, loss.count());
  }

  @Test
  void seq2seqShiftsRightWithTheStartTokenAndSmooths() {
    IntGrid tgt = new IntGrid(1, 3, new int[] {7, 8, 0});
    IntGrid dec = Seq2Seq.shiftRight(tgt, 1, 0);
    assertEquals(List.of(1, 7, 8), java.util.Arrays.stream(dec.data()).boxed().toList());
    TinyLm lm = new TinyLm(ops, 10, 4, 10, 0f, 5);
    // A decoder-only stand-in: logits depend on the decoder input only.
    Seq2SeqModel model =
        new Seq2SeqModel() {
          @Override
          public ParameterSet parameterSet() {
            return lm.parameterSet();
          }

          @Override
          public Tensor forward(Ops o, Tensor src, Tensor sm, Tensor din, Tensor dm, Forward f) {
            return lm.forward(o, din, dm, f);
          }
        };
    Batch b =
        new Batch(
            new IntGrid(1, 2, new int[] {5, 6}), null, tgt, new IntGrid(1, 3, new int[] {1, 1, 0}));
    var plain = new Seq2Seq(1, 0f).loss(ops, model, b, Forward.eval(0));
    float[] logits =
        lm.forward(ops, ops.ids(dec.data(), 1, 3), null, Forward.eval(0)).toFloatArray();
    assertEquals((nll(logits, 0, 10, 7) + nll(logits, 1, 10, 8)) / 2, plain.value().item(), 1e-5);
    assertEquals(2, plain.count());
    var smooth = new Seq2Seq(1, 0.1f).loss(ops, model, b, Forward.eval(0));
    assertTrue(smooth.value().item() != plain.value().item());
  }

  @Test
  void classificationObjectivesNameWhatIsMissing() {
    TinyLm m = new TinyLm(ops, 10, 4, 3, 0f, 1);
    Batch noLabels = Batch.of(new IntGrid(1, 2, new int[] {1, 2}));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new SequenceClassification()
                    .loss(ops, m.asClassifier(), noLabels, Forward.eval(0)));
    assertTrue(e.getMessage().contains("label"), e.getMessage());
    Batch ok =
        new Batch(
            new IntGrid(2, 2, new int[] {1, 2, 3, 4}),
            null,
            new IntGrid(2, 1, new int[] {0, 2}),
            null);
    assertEquals(
        2, new SequenceClassification().loss(ops, m.asClassifier(), ok, Forward.eval(0)).count());
    Batch tags =
        new Batch(
            new IntGrid(1, 3, new int[] {1, 2, 3}),
            null,
            new IntGrid(1, 3, new int[] {0, -100, 2}),
            null);
    assertEquals(2, new TokenClassification().loss(ops, m, tags, Forward.eval(0)).count());
    var wrong =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Seq2Seq(1, 0).loss(ops, m, ok, Forward.eval(0)));
    assertTrue(wrong.getMessage().contains("Seq2SeqModel"), wrong.getMessage());
  }
}
