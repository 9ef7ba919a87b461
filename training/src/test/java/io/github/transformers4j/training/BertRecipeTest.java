package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.optim.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BERT recipes (MLM and classification) train a few steps, save, and reload the same. */
class BertRecipeTest {
  static ComputeBackend backend;

  @BeforeAll
  static void open() {
    backend = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  static BertRecipe.Settings tiny(long steps, int maxLength, double lr) {
    return new BertRecipe.Settings(
        16, 1, 2, 32, 0f, maxLength, 8, steps, lr, 1, 0.01, 1.0, steps, 2, 0.2, 5);
  }

  static void assertSavedAndFinite(Ops ops, Path out, BertRecipe.Loaded back, Trainer.Result r)
      throws Exception {
    assertTrue(Files.exists(out.resolve("checkpoint/model.safetensors")));
    for (String f : new String[] {"config.json", "recipe.json", "tokenizer.json"}) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    assertTrue(r.losses().stream().allMatch(l -> Double.isFinite(l)), "losses " + r.losses());
    assertTrue(back.model().parameterSet().count() > 0);
  }

  @Test
  void mlmTrainsAndReloads(@TempDir Path dir) throws Exception {
    Ops ops = new Ops(backend);
    String text = "the quick brown fox jumps over the lazy dog. ".repeat(30);
    Path out = dir.resolve("mlm");
    BertRecipe.Run run = BertRecipe.trainMlm(ops, text, null, tiny(20, 24, 1e-2), folder(out, "mlm", false), false, null);
    List<Double> l = run.result().losses();
    assertEquals(20, run.result().step());
    double first = (l.get(0) + l.get(1) + l.get(2)) / 3;
    double last = (l.get(17) + l.get(18) + l.get(19)) / 3;
    assertTrue(last < first, "MLM loss did not fall: " + l);
    assertTrue(run.accuracy() >= 0 && run.accuracy() <= 1, "accuracy " + run.accuracy());
    assertTrue(run.baseline() >= 0 && run.baseline() <= 1, "baseline " + run.baseline());
    BertRecipe.Loaded back = BertRecipe.load(ops, out);
    assertEquals(BertRecipe.Task.MLM, back.task());
    BertRecipe.Eval e = BertRecipe.evaluateMlm(ops, back, text, 2, 1);
    assertTrue(Double.isFinite(e.loss()) && e.count() > 0, "eval " + e);
    assertSavedAndFinite(ops, out, back, run.result());
  }

  @Test
  void classifierLearnsASimpleRuleAndReloadsItsLabels(@TempDir Path dir) throws Exception {
    Ops ops = new Ops(backend);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(9);
    List<Datasets.Pair> pairs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      boolean pos = rnd.nextBoolean();
      String w = pos ? "good fine nice" : "bad poor awful";
      pairs.add(new Datasets.Pair(w.split(" ")[rnd.nextInt(3)] + " day", pos ? "pos" : "neg"));
    }
    Path out = dir.resolve("cls");
    BertRecipe.Run run =
        BertRecipe.trainClassifier(
            ops, pairs, null, tiny(25, 32, 1e-2), folder(out, "classify", false), false, null);
    List<Double> l = run.result().losses();
    double first = (l.get(0) + l.get(1) + l.get(2)) / 3;
    double last = (l.get(22) + l.get(23) + l.get(24)) / 3;
    assertTrue(last < 0.8 * first, "classification loss did not fall enough: " + l);
    BertRecipe.Loaded back = BertRecipe.load(ops, out);
    assertEquals(BertRecipe.Task.CLASSIFY, back.task());
    assertEquals(List.of("neg", "pos"), back.labels());
    BertRecipe.Eval e = BertRecipe.evaluateClassifier(ops, back, pairs);
    assertEquals(40, e.count());
    // The rule is one word per class: a falling loss should already separate most pairs.
    assertTrue(Double.isFinite(e.loss()) && e.accuracy() > 0.6, "eval " + e);
    assertSavedAndFinite(ops, out, back, run.result());
    // Resuming the finished run keeps its step and weights.
    Parameter p = back.model().parameterSet().iterator().next();
    float[] before = p.get().toFloatArray();
    BertRecipe.Run again =
        BertRecipe.trainClassifier(
            ops, pairs, null, tiny(25, 32, 1e-2), folder(out, "classify", true), false, null);
    assertEquals(25, again.result().step());
    BertRecipe.Loaded back2 = BertRecipe.load(ops, out);
    assertTrue(
        Arrays.equals(before, back2.model().parameterSet().iterator().next().get().toFloatArray()));
  }

  /**
   * The folder protocol for a test run: a new folder, or resuming; the staging folder of a run that
   * fails is left to the test's temporary folder.
   */
  static OutputFolder folder(Path out, String kind, boolean resume) throws java.io.IOException {
    // The recipes leave closing to their caller (the CLI's try-with-resources): a test's earlier
    // run on the folder is closed here, releasing its lock as that process's end would.
    OutputFolder before = OPEN.remove(out.toAbsolutePath().normalize());
    if (before != null) {
      before.close();
    }
    OutputFolder f =
        OutputFolder.open(out, kind, resume ? OutputFolder.Mode.RESUME : OutputFolder.Mode.NEW);
    OPEN.put(f.target(), f);
    return f;
  }

  private static final java.util.Map<Path, OutputFolder> OPEN =
      new java.util.concurrent.ConcurrentHashMap<>();
}
