package io.github.transformers4j.training.bench;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.data.Example;
import io.github.transformers4j.training.data.ExampleBatches;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.objectives.MaskedLm;
import io.github.transformers4j.training.objectives.MlmMasker;
import io.github.transformers4j.training.objectives.Seq2Seq;
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
      StringBuilder alphabet = new StringBuilder("0123456789 -");
      for (int n = 0; n < 10000; n++) {
        alphabet.append(words(n));
      }
      CharTokenizer tok = CharTokenizer.fit(alphabet.toString(), true);
      SpecialTokens sp = tok.specials();
      List<Integer> all = new ArrayList<>();
      for (int n = 0; n < 10000; n++) {
        all.add(n);
      }
      var split = Datasets.split(all, 0.05, 42); // 500 held-out numbers never seen in training
      List<Example> train = new ArrayList<>();
      for (int n : split.train()) {
        train.add(example(tok, n));
      }
      TinyTransformer model = new TinyTransformer(ops, tok.vocabSize(), 64, 64, 4, 2, 2, 0f, 1);
      TrainerConfig cfg =
          new TrainerConfig(
              steps,
              1,
              1.0,
              LrSchedule.cosine(2e-3, 1e-4, Math.min(100, steps), steps),
              0,
              0,
              0,
              null,
              5,
              0);
      long t0 = System.nanoTime();
      Trainer.Result r =
          new Trainer(
                  ops,
                  model,
                  new Seq2Seq(sp.bos(), 0.1f),
                  new AdamW(0.9, 0.98, 1e-8, 0.01, false),
                  cfg,
                  System.err)
              .run(new ExampleBatches(train, 64, sp.pad(), sp.pad(), 3, true), null, false);
      double trainSecs = (System.nanoTime() - t0) / 1e9;
      int greedyOk = 0;
      int beamOk = 0;
      List<Integer> held = split.val();
      for (int n : held) {
        int[] src = tok.encode(words(n));
        greedyOk +=
            decode(model, tok, src, GenerationConfig.greedy(8)).equals(Integer.toString(n)) ? 1 : 0;
        beamOk +=
            decode(model, tok, src, GenerationConfig.beams(8, 4)).equals(Integer.toString(n))
                ? 1
                : 0;
      }
      String line =
          String.format(
              Locale.ROOT,
              "seq2seq number words -> digits: %d steps in %.0f s, final train loss %.4f; held-out"
                  + " exact match greedy %.1f%% (%d/%d), beam 4 %.1f%% (%d/%d)",
              steps,
              trainSecs,
              r.losses().get(r.losses().size() - 1),
              100.0 * greedyOk / held.size(),
              greedyOk,
              held.size(),
              100.0 * beamOk / held.size(),
              beamOk,
              held.size());
      report(line);
    }
  }

  static Example example(CharTokenizer tok, int n) {
    int[] tgt = tok.encode(Integer.toString(n));
    int[] withEos = java.util.Arrays.copyOf(tgt, tgt.length + 1);
    withEos[tgt.length] = tok.specials().eos();
    return new Example(tok.encode(words(n)), withEos);
  }

  static String decode(TinyTransformer m, CharTokenizer tok, int[] src, GenerationConfig g) {
    SpecialTokens sp = tok.specials();
    Generator gen = new Generator(() -> m.session(src, tok.vocabSize()));
    int[] out = gen.generate(new int[][] {{sp.bos()}}, g.withStopTokens(sp.eos()))[0];
    return tok.decode(java.util.Arrays.copyOfRange(out, 1, out.length));
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
