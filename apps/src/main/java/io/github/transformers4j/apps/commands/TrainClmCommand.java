package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.Numbers;
import io.github.transformers4j.apps.cli.OutputOptions;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.FineTune;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.data.Datasets;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j train clm}: a character-level GPT on a text file or folder, nanoGPT's {@code
 * shakespeare_char} recipe; defaults are nanoGPT's CPU settings.
 */
@Command(
    name = "clm",
    mixinStandardHelpOptions = true,
    description = {
      "Train a char-level GPT (causal LM) on a text file or folder.",
      "Writes config.json, recipe.json, tokenizer.json, checkpoint/, metrics.jsonl and loss.png"
          + " into --output; resumes from its checkpoint with --resume; Ctrl-C saves a checkpoint.",
      "Characters the text did not have are read as the unknown token [UNK] later (eval,"
          + " generate)."
    })
public final class TrainClmCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "PATH",
      description = "Text file or folder.")
  Path data;

  @Mixin OutputOptions output;

  @Option(names = "--from", paramLabel = "DIR", description = FineTuning.FROM_HELP)
  Path from;

  @Option(
      names = "--block",
      converter = PositiveInt.class,
      defaultValue = "64",
      description =
          "Context length (default ${DEFAULT-VALUE}; with --from: the model's positions, at most"
              + " 1024).")
  int block;

  @Option(
      names = "--batch",
      converter = PositiveInt.class,
      defaultValue = "12",
      description = "Batch rows (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--layers",
      converter = PositiveInt.class,
      defaultValue = "4",
      description = "Blocks (default ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--heads", defaultValue = "4", description = "Heads (default ${DEFAULT-VALUE}).")
  int heads;

  @Option(
      names = "--width",
      converter = PositiveInt.class,
      defaultValue = "128",
      description = "Embedding width (default ${DEFAULT-VALUE}).")
  int width;

  @Option(
      names = "--dropout",
      converter = Numbers.Probability.class,
      defaultValue = "0",
      description = "Dropout (default ${DEFAULT-VALUE}).")
  float dropout;

  @Option(
      names = "--steps",
      converter = Numbers.PositiveLong.class,
      defaultValue = "2000",
      description = "Optimizer steps (default ${DEFAULT-VALUE}).")
  long steps;

  @Option(
      names = "--lr",
      converter = Numbers.PositiveDouble.class,
      defaultValue = "1e-3",
      description = "Peak learning rate (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(
      names = "--min-lr",
      converter = Numbers.NonNegativeDouble.class,
      defaultValue = "1e-4",
      description = "Final learning rate (default ${DEFAULT-VALUE}).")
  double minLr;

  @Option(
      names = "--warmup",
      converter = Numbers.NonNegativeLong.class,
      defaultValue = "100",
      description =
          "Warmup steps, at most a tenth of --steps so that short runs still decay (default"
              + " ${DEFAULT-VALUE}).")
  long warmup;

  @Option(
      names = "--beta2",
      converter = Numbers.Fraction.class,
      defaultValue = "0.99",
      description = "AdamW beta2 (default ${DEFAULT-VALUE}).")
  double beta2;

  @Option(
      names = "--weight-decay",
      converter = Numbers.NonNegativeDouble.class,
      defaultValue = "0.1",
      description = "AdamW weight decay (default ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(
      names = "--clip",
      converter = Numbers.NonNegativeDouble.class,
      defaultValue = "1.0",
      description = "Gradient-norm clip, 0 = none (default ${DEFAULT-VALUE}).")
  double clip;

  @Option(
      names = "--accumulation",
      converter = PositiveInt.class,
      defaultValue = "1",
      description = "Micro-batches per step (default ${DEFAULT-VALUE}).")
  int accumulation;

  @Option(
      names = "--eval-every",
      converter = Numbers.NonNegativeLong.class,
      defaultValue = "250",
      description = "Evaluate every N steps (default ${DEFAULT-VALUE}).")
  long evalEvery;

  @Option(
      names = "--eval-batches",
      converter = Numbers.NonNegativeInt.class,
      defaultValue = "20",
      description = "Validation batches (default ${DEFAULT-VALUE}).")
  int evalBatches;

  @Option(
      names = "--val-fraction",
      converter = Numbers.Fraction.class,
      defaultValue = "0.1",
      description = "Validation share (default ${DEFAULT-VALUE}).")
  double valFraction;

  @Option(
      names = "--seed",
      defaultValue = "1337",
      description = "Run seed (default ${DEFAULT-VALUE}).")
  long seed;

  /** The command over the global backend choice. */
  @Inject
  public TrainClmCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    String corpus = Datasets.readText(data);
    if (corpus.isBlank()) {
      throw new IllegalArgumentException("--data " + data + " holds no text to train on");
    }
    if (FineTuning.applies(from, output)) {
      FineTuning.refuse(spec, "--layers", "--heads", "--width", "--dropout");
      double rate = FineTuning.given(spec, "--lr") ? lr : FineTuning.defaultLr(from, output);
      return FineTuning.run(
          spec,
          choice,
          output,
          FineTune.Task.CLM,
          from,
          FineTune.Data.text(corpus),
          new FineTune.Settings(
              FineTuning.given(spec, "--block") ? block : 0,
              batch,
              steps,
              rate,
              FineTuning.given(spec, "--min-lr") ? minLr : rate / 10,
              FineTuning.given(spec, "--warmup") ? warmup : steps / 10,
              FineTuning.given(spec, "--weight-decay") ? weightDecay : 0,
              clip,
              0f,
              evalEvery,
              evalBatches,
              valFraction,
              seed,
              0));
    }
    CharLm.Settings s =
        new CharLm.Settings(
            block,
            batch,
            layers,
            heads,
            width,
            dropout,
            steps,
            lr,
            minLr,
            warmup,
            beta2,
            weightDecay,
            clip,
            accumulation,
            evalEvery,
            evalBatches,
            valFraction,
            seed);
    try (OutputFolder folder = output.open(CharLm.TASK);
        ComputeBackend backend = choice.create()) {
      long t0 = System.nanoTime();
      Trainer.Result r =
          CharLm.train(new Ops(backend), corpus, s, folder, output.reschedule(), System.err);
      double secs = (System.nanoTime() - t0) / 1e9;
      out.printf(
          Locale.ROOT,
          "%s at step %d: val loss %.4f, %.1f s, %.0f tokens/s; model in %s%n",
          r.interrupted() ? "stopped" : "done",
          r.step(),
          r.lastValLoss(),
          secs,
          r.tokens() / Math.max(1e-9, secs),
          folder.dir());
      return 0;
    }
  }
}
