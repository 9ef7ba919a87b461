package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.Numbers;
import io.github.transformers4j.apps.cli.OutputOptions;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.models.rnn.RecurrentLmConfig;
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
 * shakespeare_char} recipe; defaults are nanoGPT's CPU settings. {@code --arch lstm|gru|rnn}
 * trains a recurrent baseline with the same recipe instead.
 */
@Command(
    name = "clm",
    mixinStandardHelpOptions = true,
    description = {
      "Train a char-level GPT (causal LM) on a text file or folder; --arch lstm|gru|rnn trains"
          + " a recurrent LM with the same data, optimizer and checkpoints instead.",
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
      names = "--arch",
      paramLabel = "ARCH",
      defaultValue = "transformer",
      description =
          "Model: transformer (the GPT), lstm, gru, rnn (tanh) or rnn_relu (default"
              + " ${DEFAULT-VALUE}).")
  String arch;

  @Option(
      names = "--hidden",
      converter = PositiveInt.class,
      paramLabel = "H",
      description =
          "State width of a recurrent --arch (default: the width whose parameter count is nearest"
              + " that of the GPT the same --width, --layers, --block and --heads build).")
  Integer hidden;

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
      description =
          "Blocks, or recurrent layers (default ${DEFAULT-VALUE}; 2 with a recurrent --arch).")
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
    CharLm.Recurrent recurrent = recurrent();
    if (FineTuning.applies(from, output)) {
      FineTuning.refuse(spec, "--layers", "--heads", "--width", "--dropout", "--hidden");
      if (recurrent != null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--arch " + arch + " does not apply with --from: the model comes from the folder");
      }
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
          CharLm.train(
              new Ops(backend), corpus, s, recurrent, folder, output.reschedule(), System.err);
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

  /** The recurrent model --arch names, or null for the transformer; checks --hidden and --heads. */
  private CharLm.Recurrent recurrent() {
    if (arch.equals("transformer")) {
      if (hidden != null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--hidden applies to a recurrent --arch (lstm, gru, rnn, rnn_relu)");
      }
      return null;
    }
    RecurrentLmConfig.Cell cell;
    try {
      cell = RecurrentLmConfig.Cell.fromLabel(arch);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--arch: unknown model '" + arch + "' (known: transformer, "
              + RecurrentLmConfig.Cell.labels() + ")");
    }
    if (FineTuning.given(spec, "--heads")) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--heads does not apply to a recurrent model (--arch " + arch + ")");
    }
    // Two recurrent layers unless --layers says otherwise; --hidden's default is matched to the
    // GPT of --layers (4 by default).
    return new CharLm.Recurrent(
        cell, hidden == null ? 0 : hidden, FineTuning.given(spec, "--layers") ? layers : 2);
  }
}
