package io.github.transformers4j.training.bench;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.training.Seq2SeqRecipe;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.objectives.MaskedLm;
import io.github.transformers4j.training.objectives.MlmMasker;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
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
      Seq2SeqRecipe.Run run = Seq2SeqRecipe.train(ops, pairs, null, s, out, false, System.err);
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
    Path data = Path.of("../../shared/data/tinyshakespeare.txt");
    if (!Files.exists(data)) {
      throw new AssertionError("missing " + data.toAbsolutePath());
    }
    String text = Files.readString(data);
    CharTokenizer tok = CharTokenizer.fit(text, true);
    int[] ids = tok.encode(text);
    int[][] parts = Datasets.splitStream(ids, 0.1);
    // Unigram baseline: always predict the most frequent training character.
    long[] freq = new long[tok.vocabSize()];
    for (int id : parts[0]) {
      freq[id]++;
    }
    int top = 0;
    for (int i = 1; i < freq.length; i++) {
      top = freq[i] > freq[top] ? i : top;
    }
    try (ComputeBackend backend =
        Backends.installed().create("cpu", BackendOptions.none().with("threads", "2"))) {
      Ops ops = new Ops(backend);
      TinyTransformer model = new TinyTransformer(ops, tok.vocabSize(), 64, 128, 4, 4, 0, 0f, 2);
      MaskedLm mlm = new MaskedLm(new MlmMasker(0.15, tok.specials(), tok.vocabSize()));
      TrainerConfig cfg =
          new TrainerConfig(
              steps,
              1,
              1.0,
              LrSchedule.cosine(1e-3, 1e-4, Math.min(100, steps), steps),
              0,
              0,
              0,
              null,
              9,
              0);
      long t0 = System.nanoTime();
      new Trainer(ops, model, mlm, new AdamW(0.9, 0.99, 1e-8, 0.01, false), cfg, System.err)
          .run(new BlockSampler(parts[0], 16, 63, 4), null, false);
      double secs = (System.nanoTime() - t0) / 1e9;
      // Masked-token accuracy on validation blocks; the unigram baseline on the same targets.
      BlockSampler val = new BlockSampler(parts[1], 16, 63, 77);
      long correct = 0;
      long count = 0;
      long unigram = 0;
      for (int i = 0; i < 50; i++) {
        var b = val.next();
        var masked =
            new MlmMasker(0.15, tok.specials(), tok.vocabSize())
                .apply(b.inputs(), null, io.github.transformers4j.training.data.Rng.derive(123, i));
        var logits =
            model.forward(
                ops,
                ops.ids(masked.inputs().data(), 16, 64),
                null,
                io.github.transformers4j.training.objectives.Forward.eval(0));
        float[] l = logits.toFloatArray();
        int v = tok.vocabSize();
        for (int p = 0; p < masked.labels().length; p++) {
          int y = masked.labels()[p];
          if (y == -100) {
            continue;
          }
          int best = 0;
          for (int j = 1; j < v; j++) {
            best = l[p * v + j] > l[p * v + best] ? j : best;
          }
          correct += best == y ? 1 : 0;
          unigram += y == top ? 1 : 0;
          count++;
        }
      }
      report(
          String.format(
              Locale.ROOT,
              "MLM (char-level Shakespeare, 4-layer 128-wide encoder, %d steps, %.0f s):"
                  + " masked-token accuracy %.1f%% vs unigram baseline %.1f%% ('%s') over %d masked"
                  + " tokens",
              steps,
              secs,
              100.0 * correct / count,
              100.0 * unigram / count,
              tok.decode(new int[] {top}),
              count));
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
