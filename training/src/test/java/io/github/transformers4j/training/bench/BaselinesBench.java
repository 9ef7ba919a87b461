package io.github.transformers4j.training.bench;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.training.BertRecipe;
import io.github.transformers4j.training.Seq2SeqRecipe;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The encoder-decoder and MLM baselines (issue 5, item 6). Long: run only on request, {@code mvn
 * -pl training test -Dtest=BaselinesBench -Dt4j.bench=true} (see bench/baselines.sh).
 */
@EnabledIfSystemProperty(named = "t4j.bench", matches = "true")
class BaselinesBench {
  static final String[] ONES = {
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen"
  };
  static final String[] TENS = {
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"
  };

  /** English words of 0 ≤ n ≤ 9999 ("four thousand two hundred seven"). */
  static String words(int n) {
    if (n < 20) {
      return ONES[n];
    }
    if (n < 100) {
      return TENS[n / 10] + (n % 10 == 0 ? "" : "-" + ONES[n % 10]);
    }
    if (n < 1000) {
      return ONES[n / 100] + " hundred" + (n % 100 == 0 ? "" : " " + words(n % 100));
    }
    return ONES[n / 1000] + " thousand" + (n % 1000 == 0 ? "" : " " + words(n % 1000));
  }

  static int intProp(String name, int dflt) {
    return Integer.parseInt(System.getProperty(name, Integer.toString(dflt)));
  }

  @Test
  void seq2seqNumberWordsToDigits() throws Exception {
    int steps = intProp("t4j.bench.seq2seq.steps", 1500);
    try (ComputeBackend backend =
        Backends.installed().create("cpu", BackendOptions.none().with("threads", "2"))) {
      Ops ops = new Ops(backend);
      List<Datasets.Pair> pairs = new ArrayList<>();
      for (int n = 0; n < 10000; n++) {
        pairs.add(new Datasets.Pair(words(n), Integer.toString(n)));
      }
      // The encoder-decoder of transformer-models (pre-LN, sinusoidal, 2+2 layers of 64) through
      // the same recipe as `t4j train seq2seq`; 500 held-out numbers never seen in training.
      Seq2SeqRecipe.Settings s = Seq2SeqRecipe.Settings.small(steps);
      Path out = Path.of(System.getProperty("t4j.bench.seq2seq.out", "target/bench-seq2seq"));
      long t0 = System.nanoTime();
      Seq2SeqRecipe.Run run = Seq2SeqRecipe.train(
              ops, pairs, null, s,
              io.github.transformers4j.training.OutputFolder.open(
                  out, "seq2seq", io.github.transformers4j.training.OutputFolder.Mode.OVERWRITE),
              false, System.err);
      double trainSecs = (System.nanoTime() - t0) / 1e9;
      List<Datasets.Pair> held = run.heldOut();
      Seq2SeqRecipe.Loaded m = Seq2SeqRecipe.load(ops, out); // as `t4j eval` would
      double greedy = Seq2SeqRecipe.exactMatch(m, held, 1);
      double beam = Seq2SeqRecipe.exactMatch(m, held, 4);
      Trainer.Result r = run.result();
      report(
          String.format(
              Locale.ROOT,
              "seq2seq number words -> digits (transformer-models encoder-decoder, %.2fM"
                  + " parameters): %d steps in %.0f s, final train loss %.4f, val loss %.4f;"
                  + " held-out exact match greedy %.1f%%, beam 4 %.1f%% (%d numbers)",
              m.model().parameterSet().count() / 1e6,
              steps,
              trainSecs,
              r.losses().get(r.losses().size() - 1),
              r.lastValLoss(),
              100 * greedy,
              100 * beam,
              held.size()));
    }
  }

  @Test
  void mlmOnShakespeareBeatsUnigram() throws Exception {
    int steps = intProp("t4j.bench.mlm.steps", 1500);
    Path data =
        System.getProperty("t4j.bench.mlm.data") != null
            ? Path.of(System.getProperty("t4j.bench.mlm.data"))
            : SharedData.require("data/tinyshakespeare.txt");
    if (!Files.exists(data)) {
      throw new AssertionError("missing " + data.toAbsolutePath());
    }
    try (ComputeBackend backend =
        Backends.installed().create("cpu", BackendOptions.none().with("threads", "2"))) {
      // The BERT encoder of transformer-models (4 layers of 128, char tokenizer) through the same
      // recipe as `t4j train mlm`; accuracy on 50 batches of held-out windows (the last 10 %).
      BertRecipe.Settings s =
          new BertRecipe.Settings(
              128, 4, 4, 512, 0f, 64, 16, steps, 1e-3, 100, 0.01, 1.0, 250, 50, 0.1, 9);
      Path out = Path.of(System.getProperty("t4j.bench.mlm.out", "target/bench-mlm"));
      long t0 = System.nanoTime();
      BertRecipe.Run run =
          BertRecipe.trainMlm(
              new Ops(backend), Files.readString(data), null, s,
              io.github.transformers4j.training.OutputFolder.open(
                  out, "mlm", io.github.transformers4j.training.OutputFolder.Mode.OVERWRITE),
              false, System.err);
      double secs = (System.nanoTime() - t0) / 1e9;
      report(
          String.format(
              Locale.ROOT,
              "MLM (char-level Shakespeare, transformer-models BERT, 4 layers of 128, %d steps,"
                  + " %.0f s): held-out masked-token accuracy %.1f%% vs unigram baseline %.1f%%,"
                  + " val loss %.4f",
              steps,
              secs,
              100 * run.accuracy(),
              100 * run.baseline(),
              run.result().lastValLoss()));
    }
  }

  static void report(String line) throws Exception {
    System.out.println(line);
    Path out = Path.of(System.getProperty("t4j.bench.out", "target/baselines.txt"));
    Files.writeString(
        out,
        line + "\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }
}
