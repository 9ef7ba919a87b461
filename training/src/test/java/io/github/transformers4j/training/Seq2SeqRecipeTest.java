package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.seq2seq.EncoderDecoderConfig;
import io.github.transformers4j.models.seq2seq.EncoderDecoderModel;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.data.Example;
import io.github.transformers4j.training.data.ExampleBatches;
import io.github.transformers4j.training.models.EncoderDecoderLm;
import io.github.transformers4j.training.objectives.Seq2Seq;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encoder-decoder family of transformer-models trains through {@link EncoderDecoderLm}, and the
 * seq2seq recipe saves a model that reloads and decodes the same, greedy and by beams.
 */
class Seq2SeqRecipeTest {
  static ComputeBackend backend;

  @BeforeAll
  static void open() {
    backend = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  /** Reverse a short string of letters: every target token depends on the source. */
  static List<Datasets.Pair> reversals(int n) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    List<Datasets.Pair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder s = new StringBuilder();
      for (int j = 0, len = 2 + r.nextInt(4); j < len; j++) {
        s.append((char) ('a' + r.nextInt(6)));
      }
      out.add(new Datasets.Pair(s.toString(), s.reverse().toString()));
    }
    return out;
  }

  @Test
  void adapterTrainsTheEncoderDecoderFamilyWithFallingLoss() {
    Ops ops = new Ops(backend);
    var tok = Seq2SeqRecipe.fitChars(reversals(40));
    List<Example> ex = Datasets.seq2seqExamples(reversals(40), tok);
    for (EncoderDecoderConfig.Positions p : EncoderDecoderConfig.Positions.values()) {
      EncoderDecoderConfig c =
          new EncoderDecoderConfig(
              tok.vocabSize(),
              16,
              2,
              32,
              1,
              1,
              16,
              io.github.transformers4j.api.Activation.RELU,
              p,
              io.github.transformers4j.models.layers.NormPlacement.PRE,
              true,
              0f,
              0f,
              1e-5f,
              0.02,
              tok.specials().bos(),
              "sdpa",
              7L);
      EncoderDecoderLm lm = new EncoderDecoderLm(new EncoderDecoderModel(ops, c));
      Trainer.Result r =
          new Trainer(
                  ops,
                  lm,
                  new Seq2Seq(tok.specials().bos(), 0f),
                  new AdamW(0.9, 0.98, 1e-8, 0.0, false),
                  new TrainerConfig(30, 1, 1.0, LrSchedule.constant(1e-2), 0, 0, 0, null, 1, 0),
                  null)
              .run(new ExampleBatches(ex, 8, 0, 0, 1, true), null, false);
      List<Double> l = r.losses();
      double first = (l.get(0) + l.get(1)) / 2;
      double last = (l.get(l.size() - 2) + l.get(l.size() - 1)) / 2;
      assertTrue(
          Double.isFinite(last) && last < 0.75 * first, p + ": loss did not fall enough: " + l);
    }
  }

  @Test
  void recipeSavesReloadsAndDecodesGreedyAndBeam(@TempDir Path dir) throws Exception {
    Ops ops = new Ops(backend);
    List<Datasets.Pair> pairs = reversals(40);
    Seq2SeqRecipe.Settings s =
        new Seq2SeqRecipe.Settings(
            16, 2, 32, 1, 0.1f, "learned", false, 8, 4, 3e-3, 1, 0.1f, 0.01, 1.0, 2, 0.25, 11);
    Path out = dir.resolve("model");
    Seq2SeqRecipe.Run run = Seq2SeqRecipe.train(
            ops, pairs, null, s, BertRecipeTest.folder(out, "seq2seq", false), false, null);
    assertEquals(4, run.result().step());
    assertTrue(Double.isFinite(run.result().lastValLoss()), "val loss " + run.result());
    assertEquals(10, run.heldOut().size());
    for (String f :
        new String[] {
          "config.json", "recipe.json", "tokenizer.json", "checkpoint/model.safetensors"
        }) {
      assertTrue(Files.exists(out.resolve(f)), f + " missing");
    }
    assertTrue(Seq2SeqRecipe.isSeq2Seq(out));
    Seq2SeqRecipe.Loaded back = Seq2SeqRecipe.load(ops, out);
    List<String> src = List.of("abc", "fedcb", "a");
    for (int beams : new int[] {1, 3}) {
      List<String> trained = Seq2SeqRecipe.translate(run.model(), src, beams, 2);
      List<String> reloaded = Seq2SeqRecipe.translate(back, src, beams, 2);
      assertEquals(trained, reloaded, "beams " + beams);
      // A batch of padded rows decodes as each row alone.
      assertEquals(
          reloaded.get(1), Seq2SeqRecipe.translate(back, List.of("fedcb"), beams, 1).get(0));
    }
    StringBuilder streamed = new StringBuilder();
    String whole = Seq2SeqRecipe.translateStreaming(back, "fedcb", streamed::append);
    assertEquals(Seq2SeqRecipe.translate(back, List.of("fedcb"), 1, 1).get(0), whole);
    assertEquals(whole, streamed.toString());
    double em = Seq2SeqRecipe.exactMatch(back, run.heldOut(), 1);
    assertTrue(em >= 0 && em <= 1, "exact match " + em);
    // Resuming a finished run keeps its step.
    assertEquals(4, Seq2SeqRecipe.train(
                ops, pairs, null, s, BertRecipeTest.folder(out, "seq2seq", true), false, null).result().step());
  }

  @Test
  void aTokenizerWithoutStartAndEndTokensIsRefused(@TempDir Path dir) throws Exception {
    Path chars = dir.resolve("chars.json");
    io.github.transformers4j.training.data.CharTokenizer.fit("abc", false).save(chars);
    Seq2SeqRecipe.Settings s = Seq2SeqRecipe.Settings.small(1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Seq2SeqRecipe.train(
                    new Ops(backend),
                    List.of(new Datasets.Pair("ab", "ba")),
                    chars,
                    s,
                    BertRecipeTest.folder(dir.resolve("m"), "seq2seq", false),
                    false,
                    null));
    assertTrue(e.getMessage().contains("start and end tokens"), e.getMessage());
  }
}
