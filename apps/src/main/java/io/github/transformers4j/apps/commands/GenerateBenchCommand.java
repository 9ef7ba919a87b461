package io.github.transformers4j.apps.commands;

import java.util.ArrayList;
import java.util.List;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.apps.cli.PrecisionConverter;
import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j bench generate}: decoding throughput of a GPT-2-shaped decoder (GPT-2 small by
 * default: 12 layers, 768 wide, 12 heads, vocabulary 50257) with random weights and the KV cache.
 * Greedy decoding of {@code --new} tokens after a {@code --prompt}-token prompt, batch 1; prints
 * the prefill time (until the first token is chosen) and the decode rate, as medians of {@code
 * --runs} runs after one warm-up run. With several {@code --quantize} precisions, one model per
 * precision (the same weights before conversion) is run in turn within every run, so that they
 * share the machine's state (A B A B), and each line ends with its rate relative to the first.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Decoding tokens/s of a GPT-2-shaped decoder (random weights, KV cache, greedy, batch 1).")
public final class GenerateBenchCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--prompt",
      defaultValue = "32",
      converter = PositiveInt.class,
      description = "Prompt tokens (default ${DEFAULT-VALUE}).")
  int prompt;

  @Option(
      names = "--new",
      defaultValue = "64",
      converter = PositiveInt.class,
      description = "Tokens to generate per run (default ${DEFAULT-VALUE}).")
  int fresh;

  @Option(
      names = "--runs",
      defaultValue = "3",
      converter = PositiveInt.class,
      description = "Timed runs after one warm-up run; the median is printed (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--layers",
      defaultValue = "12",
      converter = PositiveInt.class,
      description = "Blocks (default ${DEFAULT-VALUE}).")
  int layers;

  @Option(
      names = "--width",
      defaultValue = "768",
      converter = PositiveInt.class,
      description = "Width (default ${DEFAULT-VALUE}).")
  int width;

  @Option(
      names = "--heads",
      defaultValue = "12",
      converter = PositiveInt.class,
      description = "Heads; must divide the width (default ${DEFAULT-VALUE}).")
  int heads;

  @Option(
      names = "--vocab",
      defaultValue = "50257",
      converter = PositiveInt.class,
      description = "Vocabulary size (default ${DEFAULT-VALUE}).")
  int vocab;

  @Option(
      names = "--quantize",
      split = ",",
      paramLabel = "PRECISION",
      defaultValue = "f32",
      converter = PrecisionConverter.class,
      description =
          "Weight precisions to compare, comma-separated (f32, bf16, int8): one model each, same"
              + " weights, measured in turn within every run, A B A B (default ${DEFAULT-VALUE}).")
  List<WeightPrecision> precisions;

  /** The command over the global backend choice. */
  @Inject
  public GenerateBenchCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    int context = prompt + fresh;
    // Validated here, so a bad combination is a usage error naming the field, not a stack trace.
    Gpt2Config cfg =
        new Gpt2Config(
            vocab, Math.max(1024, context), width, layers, heads, 4 * width, Activation.GELU_TANH,
            1e-5f, 0f, 0f, 0f, 0.02, "sdpa", 1);
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      List<WeightPrecision> modes = precisions.stream().distinct().toList();
      List<Gpt2Model> models = new ArrayList<>();
      for (WeightPrecision p : modes) {
        // The same seed gives every mode the same fp32 weights before conversion.
        Gpt2Model m = new Gpt2Model(ops, cfg);
        m.quantize(p);
        models.add(m);
      }
      SplittableRandom rng = new SplittableRandom(7);
      int[] ids = new int[prompt];
      Arrays.setAll(ids, i -> rng.nextInt(vocab));
      double[][] prefillMs = new double[modes.size()][runs];
      double[][] rate = new double[modes.size()][runs];
      for (int r = -1; r < runs; r++) {
        for (int mi = 0; mi < modes.size(); mi++) {
          Gpt2Model model = models.get(mi);
          long[] firstTokenAt = new long[1];
          int[] count = new int[1];
          long start = System.nanoTime();
          new Generator(model::session)
              .generate(
                  new int[][] {ids},
                  GenerationConfig.greedy(fresh),
                  new GenerationListener() {
                    @Override
                    public void onToken(int row, int token) {
                      if (count[0]++ == 0) {
                        firstTokenAt[0] = System.nanoTime();
                      }
                    }
                  });
          long end = System.nanoTime();
          if (count[0] != fresh) {
            throw new IllegalStateException(
                "generated " + count[0] + " tokens, expected " + fresh + "; the rate would be wrong");
          }
          if (r >= 0) {
            prefillMs[mi][r] = (firstTokenAt[0] - start) / 1e6;
            rate[mi][r] = fresh == 1 ? Double.NaN : (fresh - 1) / ((end - firstTokenAt[0]) / 1e9);
          }
          if (r == -1) {
            out.printf(Locale.ROOT, "warm-up run (%s) done in %.1f s%n", modes.get(mi).label(), (end - start) / 1e9);
            out.flush();
          }
        }
      }
      for (int mi = 0; mi < modes.size(); mi++) {
        out.printf(
            Locale.ROOT,
            "generate gpt2 %dx%d (vocab %d, random weights, %s weights %.1f MB) on %s: prompt %d,"
                + " new %d, median of %d: prefill %s ms, decode %.1f tokens/s%s%n",
            layers,
            width,
            vocab,
            modes.get(mi).label(),
            models.get(mi).weightBytes() / 1e6,
            backend.description(),
            prompt,
            fresh,
            runs,
            milliseconds(median(prefillMs[mi])),
            median(rate[mi]),
            mi == 0
                ? ""
                : String.format(
                    Locale.ROOT, " (%.2fx %s)", median(rate[mi]) / median(rate[0]), modes.get(0).label()));
      }
      return 0;
    }
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** Milliseconds to 0.1 ms, or to three significant digits below 1 ms (a tiny model's prefill). */
  static String milliseconds(double ms) {
    return ms >= 1
        ? String.format(Locale.ROOT, "%.1f", ms)
        : new java.math.BigDecimal(ms).round(new java.math.MathContext(3)).toPlainString();
  }
}
