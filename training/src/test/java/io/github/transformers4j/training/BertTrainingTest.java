package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.bert.BertConfig;
import io.github.transformers4j.models.bert.BertForMaskedLM;
import io.github.transformers4j.models.bert.BertForSequenceClassification;
import io.github.transformers4j.models.bert.BertForTokenClassification;
import io.github.transformers4j.training.data.Example;
import io.github.transformers4j.training.data.ExampleBatches;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.models.TaskAdapters;
import io.github.transformers4j.training.objectives.MaskedLm;
import io.github.transformers4j.training.objectives.MlmMasker;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.objectives.SequenceClassification;
import io.github.transformers4j.training.objectives.TokenClassification;
import io.github.transformers4j.training.objectives.Trainable;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The BERT family of transformer-models trains with MLM, classification and tagging, a few steps
 * each.
 */
class BertTrainingTest {
  static ComputeBackend backend;
  static final SpecialTokens SPECIALS = new SpecialTokens(0, 1, 2, 3, 4);
  static final int V = 20;

  @BeforeAll
  static void open() {
    backend = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  static BertConfig config(int labels) {
    BertConfig c = BertConfig.of(V, 16, 1, 2, 32).withNumLabels(labels);
    // No dropout, so the falling loss is not hidden by dropout noise in so few steps.
    return new BertConfig(
        c.vocabSize(),
        c.hiddenSize(),
        c.numHiddenLayers(),
        c.numAttentionHeads(),
        c.intermediateSize(),
        c.hiddenAct(),
        0f,
        0f,
        c.maxPositionEmbeddings(),
        c.typeVocabSize(),
        c.layerNormEps(),
        c.initializerRange(),
        c.numLabels(),
        c.attnImplementation(),
        5);
  }

  /** Sequences [CLS] a a+1 ... [SEP] of varying lengths; label = parity of a; tags = id parity. */
  static List<Example> examples(int kind) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      int n = 3 + i % 4;
      int[] ids = new int[n + 2];
      int[] tags = new int[n + 2];
      ids[0] = 1;
      tags[0] = -100;
      for (int j = 1; j <= n; j++) {
        ids[j] = 5 + (i + j) % (V - 5);
        tags[j] = ids[j] % 2;
      }
      ids[n + 1] = 2;
      tags[n + 1] = -100;
      int[] target = kind == 0 ? new int[0] : kind == 1 ? new int[] {ids[1] % 2} : tags;
      out.add(new Example(ids, target));
    }
    return out;
  }

  static double lossDrop(Ops ops, Trainable model, Objective objective, int kind) {
    TrainerConfig cfg =
        new TrainerConfig(30, 1, 1.0, LrSchedule.constant(2e-2), 0, 0, 0, null, 1, 0);
    var r =
        new Trainer(ops, model, objective, new AdamW(0.01), cfg, null)
            .run(new ExampleBatches(examples(kind), 24, 0, -100, 2, false), null, false);
    return r.losses().get(r.losses().size() - 1) / r.losses().get(0);
  }

  @Test
  void everyParameterGetsAGradient() {
    Ops ops = new Ops(backend);
    var model = TaskAdapters.classifier(new BertForSequenceClassification(ops, config(2)));
    var batch = ExampleBatches.pad(examples(1).toArray(Example[]::new), 0, -100);
    try (var tape = ops.record()) {
      tape.watch(model.parameterSet().values());
      var loss =
          new SequenceClassification()
              .loss(
                  ops, model, batch, io.github.transformers4j.training.objectives.Forward.eval(0));
      var g = tape.backward(loss.value());
      List<String> missing = new ArrayList<>();
      for (var p : model.parameterSet()) {
        if (g.get(p.get()) == null) {
          missing.add(p.name());
        }
      }
      assertTrue(missing.isEmpty(), "no gradient for " + missing);
    }
  }

  @Test
  void mlmClassificationAndTaggingLowerTheLoss() {
    Ops ops = new Ops(backend);
    double mlm =
        lossDrop(
            ops,
            TaskAdapters.masked(new BertForMaskedLM(ops, config(2))),
            new MaskedLm(new MlmMasker(0.15, SPECIALS, V)),
            0);
    double cls =
        lossDrop(
            ops,
            TaskAdapters.classifier(new BertForSequenceClassification(ops, config(2))),
            new SequenceClassification(),
            1);
    double tag =
        lossDrop(
            ops,
            TaskAdapters.tagger(new BertForTokenClassification(ops, config(2))),
            new TokenClassification(),
            2);
    // Same batch every step (no shuffle, one batch per epoch): the loss must fall clearly.
    assertTrue(cls < 0.9 && tag < 0.9, "classify " + cls + ", tokens " + tag);
    assertTrue(mlm < 1.0, "mlm " + mlm);
  }
}
