package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.Numbers;
import io.github.transformers4j.apps.cli.OutputOptions;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.models.rnn.RecurrentLmConfig;
import io.github.transformers4j.training.FineTune;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.Seq2SeqRecipe;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.data.Datasets;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j train seq2seq}: the encoder-decoder Transformer of transformer-models on (source,
 * target) pairs from a TSV or JSONL file, with a char tokenizer fitted on the pairs or a tokenizer
 * file; {@code --arch gru|lstm} trains the recurrent encoder-decoder with attention instead.
 */
@Command(
    name = "seq2seq",
    mixinStandardHelpOptions = true,
    description = {
      "Train an encoder-decoder Transformer on (source, target) pairs (TSV: source<TAB>target;"
          + " JSONL: --source-field/--target-field); --arch gru|lstm trains a recurrent"
          + " encoder-decoder with (Luong) attention instead.",
      "Writes config.json, recipe.json, the tokenizer, checkpoint/, metrics.jsonl and loss.png"
          + " into --output; prints held-out exact match (greedy). Use the model with"
          + " 't4j generate --model DIR --prompt SOURCE [--beams N]' and 't4j eval'."
    })
public final class TrainSeq2SeqCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "FILE",
      description = "Pairs: .tsv (source<TAB>target) or .jsonl.")
  Path data;

  @Mixin OutputOptions output;

  @Option(names = "--from", paramLabel = "DIR", description = FineTuning.FROM_HELP)
  Path from;

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description =
          "Tokenizer file (tokenizer.json, vocab.txt, ...; needs pad, start and end tokens);"
              + " default: characters of the pairs.")
  Path tokenizer;

  @Option(names = "--source-field", defaultValue = "source", description = "JSONL source field.")
  String sourceField;

  @Option(names = "--target-field", defaultValue = "target", description = "JSONL target field.")
  String targetField;

  @Option(
      names = "--arch",
      paramLabel = "ARCH",
      defaultValue = "transformer",
      description =
          "Model: transformer, gru or lstm (also rnn, rnn_relu) (default ${DEFAULT-VALUE}).")
  String arch;

  @Option(
      names = "--hidden",
      converter = PositiveInt.class,
      paramLabel = "H",
      description =
          "State width of a recurrent --arch (default: the width whose parameter count is nearest"
              + " the transformer's that the same --width, --heads, --ffn and --layers build).")
  Integer hidden;

  @Option(
      names = "--width",
      converter = PositiveInt.class,
      defaultValue = "64",
      description = "d_model (default ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--heads", defaultValue = "4", description = "Heads (default ${DEFAULT-VALUE}).")
  int heads;

  @Option(
      names = "--ffn",
      converter = PositiveInt.class,
      defaultValue = "128",
      description = "Feed-forward width (default ${DEFAULT-VALUE}).")
  int ffn;

  @Option(
      names = "--layers",
      converter = PositiveInt.class,
      defaultValue = "2",
      description = "Encoder and decoder blocks, each (default ${DEFAULT-VALUE}).")
  int layers;

  @Option(
      names = "--positions",
      defaultValue = "sinusoidal",
      description = "sinusoidal, learned or rotary (default ${DEFAULT-VALUE}).")
  String positions;

  @Option(names = "--post-ln", description = "Post-LN as in the paper (default: pre-LN).")
  boolean postLn;

  @Option(
      names = "--dropout",
      converter = Numbers.Probability.class,
      defaultValue = "0",
      description = "Dropout (default ${DEFAULT-VALUE}).")
  float dropout;

  @Option(
      names = "--batch",
      converter = PositiveInt.class,
      defaultValue = "64",
      description = "Pairs per batch (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--steps",
      converter = Numbers.PositiveLong.class,
      defaultValue = "1500",
      description = "Optimizer steps (default ${DEFAULT-VALUE}).")
  long steps;

  @Option(
      names = "--lr",
      converter = Numbers.PositiveDouble.class,
      defaultValue = "2e-3",
      description = "Peak learning rate (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(
      names = "--warmup",
      converter = Numbers.NonNegativeLong.class,
      defaultValue = "100",
      description =
          "Warmup steps, at most a tenth of --steps so that short runs still decay (default"
              + " ${DEFAULT-VALUE}).")
  long warmup;

  @Option(
      names = "--label-smoothing",
      converter = Numbers.Probability.class,
      defaultValue = "0.1",
      description = "Label smoothing (default ${DEFAULT-VALUE}).")
  float labelSmoothing;

  @Option(
      names = "--weight-decay",
      converter = Numbers.NonNegativeDouble.class,
      defaultValue = "0.01",
      description = "AdamW weight decay (default ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(
      names = "--clip",
      converter = Numbers.NonNegativeDouble.class,
      defaultValue = "1.0",
      description = "Gradient-norm clip, 0 = none (default ${DEFAULT-VALUE}).")
  double clip;

  @Option(
      names = "--eval-every",
      converter = Numbers.NonNegativeLong.class,
      defaultValue = "250",
      description = "Validation loss every N steps (default ${DEFAULT-VALUE}).")
  long evalEvery;

  @Option(
      names = "--val-fraction",
      converter = Numbers.Fraction.class,
      defaultValue = "0.05",
      description = "Held-out share of the pairs (default ${DEFAULT-VALUE}).")
  double valFraction;

  @Option(
      names = "--exact-match-limit",
      converter = Numbers.NonNegativeInt.class,
      defaultValue = "500",
      description =
          "Held-out pairs decoded for the final exact match, 0 = none (default ${DEFAULT-VALUE}).")
  int exactMatchLimit;

  @Option(
      names = "--seed",
      defaultValue = "3",
      description = "Run seed (default ${DEFAULT-VALUE}).")
  long seed;

  /** The command over the global backend choice. */
  @Inject
  public TrainSeq2SeqCommand(BackendChoice choice) {
    this.choice = choice;
  }

  /**
   * The pairs of a .jsonl file (by its two fields) or a TSV file ({@code first<TAB>second}, the
   * names in messages); an empty file is an error naming it.
   */
  static List<Datasets.Pair> readPairs(
      Path data, String sourceField, String targetField, String first, String second)
      throws IOException {
    String name = data.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean jsonl = name.endsWith(".jsonl") || name.endsWith(".json");
    List<Datasets.Pair> pairs =
        jsonl
            ? Datasets.readJsonl(data, sourceField, targetField)
            : Datasets.readTsv(data, first, second);
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException(
          "--data "
              + data
              + " holds no pairs; expected lines of "
              + first
              + "<TAB>"
              + second
              + " (or .jsonl objects with '"
              + sourceField
              + "' and '"
              + targetField
              + "')");
    }
    return pairs;
  }

  /** Refuses JSONL field options for a TSV file, which has no fields (they would be ignored). */
  static void fieldsOnlyForJsonl(CommandSpec spec, Path data, String... options) {
    String name = data.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".jsonl") || name.endsWith(".json")) {
      return;
    }
    for (String o : options) {
      if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            o + " names a field of .jsonl data; --data " + data + " is read as TSV, which has none");
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    fieldsOnlyForJsonl(spec, data, "--source-field", "--target-field");
    List<Datasets.Pair> pairs = readPairs(data, sourceField, targetField, "source", "target");
    if (FineTuning.applies(from, output)) {
      FineTuning.refuse(
          spec, "--width", "--heads", "--ffn", "--layers", "--positions", "--post-ln", "--dropout",
          "--tokenizer", "--arch", "--hidden");
      double rate = FineTuning.given(spec, "--lr") ? lr : FineTuning.defaultLr(from, output);
      return FineTuning.run(
          spec,
          choice,
          output,
          FineTune.Task.SEQ2SEQ,
          from,
          FineTune.Data.pairs(pairs),
          new FineTune.Settings(
              0,
              batch,
              steps,
              rate,
              rate / 10,
              FineTuning.given(spec, "--warmup") ? warmup : steps / 10,
              FineTuning.given(spec, "--weight-decay") ? weightDecay : 0,
              clip,
              FineTuning.given(spec, "--label-smoothing") ? labelSmoothing : 0f,
              evalEvery,
              20,
              valFraction,
              seed,
              0));
    }
    Seq2SeqRecipe.Recurrent recurrent = recurrent();
    Seq2SeqRecipe.Settings s =
        new Seq2SeqRecipe.Settings(
            width,
            heads,
            ffn,
            layers,
            dropout,
            positions,
            !postLn,
            batch,
            steps,
            lr,
            warmup,
            labelSmoothing,
            weightDecay,
            clip,
            evalEvery,
            valFraction,
            seed);
    try (OutputFolder folder = output.open(Seq2SeqRecipe.TASK);
        ComputeBackend backend = choice.create()) {
      long t0 = System.nanoTime();
      Seq2SeqRecipe.Run run =
          Seq2SeqRecipe.train(
              new Ops(backend), pairs, tokenizer, s, recurrent, folder, output.reschedule(),
              System.err);
      double secs = (System.nanoTime() - t0) / 1e9;
      Trainer.Result r = run.result();
      List<Datasets.Pair> held =
          run.heldOut().subList(0, Math.min(exactMatchLimit, run.heldOut().size()));
      String em =
          held.isEmpty()
              ? ""
              : String.format(
                  Locale.ROOT,
                  ", held-out exact match (greedy) %.1f%% of %d",
                  100 * Seq2SeqRecipe.exactMatch(run.model(), held, 1),
                  held.size());
      out.printf(
          Locale.ROOT,
          "%s at step %d: val loss %.4f%s, %.1f s; model in %s%n",
          r.interrupted() ? "stopped" : "done",
          r.step(),
          r.lastValLoss(),
          em,
          secs,
          folder.dir());
      return 0;
    }
  }

  /** The recurrent model --arch names, or null for the transformer; checks the options. */
  private Seq2SeqRecipe.Recurrent recurrent() {
    if (arch.equals("transformer")) {
      if (hidden != null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--hidden applies to a recurrent --arch (gru, lstm)");
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
    for (String o : List.of("--positions", "--post-ln")) {
      if (FineTuning.given(spec, o)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), o + " does not apply to a recurrent model (--arch " + arch + ")");
      }
    }
    return new Seq2SeqRecipe.Recurrent(cell, hidden == null ? 0 : hidden);
  }
}
