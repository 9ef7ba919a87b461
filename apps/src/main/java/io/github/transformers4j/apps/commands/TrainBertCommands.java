package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.Numbers;
import io.github.transformers4j.apps.cli.OutputOptions;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.training.BertRecipe;
import io.github.transformers4j.training.FineTune;
import io.github.transformers4j.training.OutputFolder;
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
 * {@code t4j train mlm} and {@code t4j train classify}: the BERT encoder of transformer-models with
 * a char tokenizer fitted on the data or a tokenizer file ({@code --tokenizer}).
 */
public final class TrainBertCommands {
  private TrainBertCommands() {}

  /** The options both share. */
  abstract static class Base implements Callable<Integer> {
    final BackendChoice choice;

    @Spec CommandSpec spec;

    @Mixin OutputOptions output;

    @Option(names = "--from", paramLabel = "DIR", description = FineTuning.FROM_HELP)
    Path from;

    @Option(
        names = "--tokenizer",
        paramLabel = "FILE",
        description =
            "Tokenizer file (vocab.txt, tokenizer.json, ...); default: the characters of the data"
                + " plus [PAD] [CLS] [SEP] [MASK] [UNK].")
    Path tokenizer;

    @Option(
        names = "--width",
        converter = PositiveInt.class,
        defaultValue = "128",
        description = "Hidden size (default ${DEFAULT-VALUE}).")
    int width;

    @Option(
        names = "--layers",
        converter = PositiveInt.class,
        defaultValue = "4",
        description = "Blocks (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(
        names = "--heads",
        converter = PositiveInt.class,
        defaultValue = "4",
        description = "Heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(
        names = "--ffn",
        converter = PositiveInt.class,
        defaultValue = "512",
        description = "Intermediate size (default ${DEFAULT-VALUE}).")
    int ffn;

    @Option(
        names = "--dropout",
        converter = Numbers.Probability.class,
        defaultValue = "0.1",
        description = "Dropout (default ${DEFAULT-VALUE}).")
    float dropout;

    @Option(
        names = "--max-length",
        converter = PositiveInt.class,
        defaultValue = "64",
        description =
            "Window (mlm) or input cut (classify) in tokens (default ${DEFAULT-VALUE}; with --from:"
                + " the model's positions, at most 512).")
    int maxLength;

    @Option(
        names = "--batch",
        converter = PositiveInt.class,
        defaultValue = "16",
        description = "Rows per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
        names = "--steps",
        converter = Numbers.PositiveLong.class,
        defaultValue = "1000",
        description = "Optimizer steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(
        names = "--lr",
        converter = Numbers.PositiveDouble.class,
        defaultValue = "1e-3",
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
        description = "Evaluate every N steps (default ${DEFAULT-VALUE}).")
    long evalEvery;

    @Option(
        names = "--eval-batches",
        converter = Numbers.NonNegativeInt.class,
        defaultValue = "20",
        description = "Validation batches per evaluation (default ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(
        names = "--val-fraction",
        converter = Numbers.Fraction.class,
        defaultValue = "0.1",
        description = "Held-out share (default ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(
        names = "--seed",
        defaultValue = "1337",
        description = "Run seed (default ${DEFAULT-VALUE}).")
    long seed;

    Base(BackendChoice choice) {
      this.choice = choice;
    }

    BertRecipe.Settings settings() {
      return new BertRecipe.Settings(
          width,
          layers,
          heads,
          ffn,
          dropout,
          maxLength,
          batch,
          steps,
          lr,
          warmup,
          weightDecay,
          clip,
          evalEvery,
          evalBatches,
          valFraction,
          seed);
    }

    abstract BertRecipe.Run train(Ops ops, OutputFolder folder) throws Exception;

    /** The data for fine-tuning with {@code --from}. */
    abstract FineTune.Data fineTuneData() throws Exception;

    abstract FineTune.Task fineTuneTask();

    private int fineTune() throws Exception {
      FineTuning.refuse(spec, "--width", "--layers", "--heads", "--ffn", "--dropout", "--tokenizer");
      FineTune.Data d = fineTuneData();
      double rate = FineTuning.given(spec, "--lr") ? lr : FineTuning.defaultLr(from, output);
      return FineTuning.run(
          spec,
          choice,
          output,
          fineTuneTask(),
          from,
          d,
          new FineTune.Settings(
              FineTuning.given(spec, "--max-length") ? maxLength : 0,
              batch,
              steps,
              rate,
              rate / 10,
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

    abstract String task();

    abstract String what();

    @Override
    public Integer call() throws Exception {
      java.io.PrintWriter out = spec.commandLine().getOut();
      if (FineTuning.applies(from, output)) {
        return fineTune();
      }
      try (OutputFolder folder = output.open(task());
          ComputeBackend backend = choice.create()) {
        long t0 = System.nanoTime();
        BertRecipe.Run run = train(new Ops(backend), folder);
        double secs = (System.nanoTime() - t0) / 1e9;
        String acc =
            Double.isNaN(run.accuracy())
                ? ""
                : String.format(
                    Locale.ROOT,
                    ", held-out %s accuracy %.1f%% (majority baseline %.1f%%)",
                    what(),
                    100 * run.accuracy(),
                    100 * run.baseline());
        out.printf(
            Locale.ROOT,
            "%s at step %d: val loss %.4f%s, %.1f s; model in %s%n",
            run.result().interrupted() ? "stopped" : "done",
            run.result().step(),
            run.result().lastValLoss(),
            acc,
            secs,
            folder.dir());
        return 0;
      }
    }
  }

  /** {@code t4j train mlm}. */
  @Command(
      name = "mlm",
      mixinStandardHelpOptions = true,
      description = {
        "Masked LM (BERT's 15 %% with 80/10/10) on a text file or folder, BERT encoder.",
        "Writes config.json, recipe.json, the tokenizer, checkpoint/, metrics.jsonl and loss.png"
            + " into --output; prints held-out masked-token accuracy against always predicting the"
            + " most frequent token."
      })
  public static final class Mlm extends Base {
    @Option(
        names = "--data",
        required = true,
        paramLabel = "PATH",
        description = "Text file or folder.")
    Path data;

    /** The command over the global backend choice. */
    @Inject
    public Mlm(BackendChoice choice) {
      super(choice);
    }

    @Override
    BertRecipe.Run train(Ops ops, OutputFolder folder) throws Exception {
      return BertRecipe.trainMlm(
          ops, Datasets.readText(data), tokenizer, settings(), folder, output.reschedule(),
          System.err);
    }

    @Override
    String task() {
      return "mlm";
    }

    @Override
    FineTune.Data fineTuneData() throws Exception {
      return FineTune.Data.text(Datasets.readText(data));
    }

    @Override
    FineTune.Task fineTuneTask() {
      return FineTune.Task.MLM;
    }

    @Override
    String what() {
      return "masked-token";
    }
  }

  /** {@code t4j train classify}. */
  @Command(
      name = "classify",
      mixinStandardHelpOptions = true,
      description = {
        "Sequence classification on (text, label) pairs (TSV: text<TAB>label; JSONL:"
            + " --text-field/--label-field), BERT encoder with a [CLS] pooler head.",
        "Labels are the distinct label strings, sorted (config.json id2label). Prints held-out"
            + " accuracy against the majority label."
      })
  public static final class Classify extends Base {
    @Option(
        names = "--data",
        required = true,
        paramLabel = "FILE",
        description = "Pairs: .tsv or .jsonl.")
    Path data;

    @Option(names = "--text-field", defaultValue = "text", description = "JSONL text field.")
    String textField;

    @Option(names = "--label-field", defaultValue = "label", description = "JSONL label field.")
    String labelField;

    /** The command over the global backend choice. */
    @Inject
    public Classify(BackendChoice choice) {
      super(choice);
    }

    @Override
    BertRecipe.Run train(Ops ops, OutputFolder folder) throws Exception {
      TrainSeq2SeqCommand.fieldsOnlyForJsonl(spec, data, "--text-field", "--label-field");
      return BertRecipe.trainClassifier(
          ops,
          TrainSeq2SeqCommand.readPairs(data, textField, labelField, "text", "label"),
          tokenizer,
          settings(),
          folder,
          output.reschedule(),
          System.err);
    }

    @Override
    String task() {
      return "classify";
    }

    @Override
    FineTune.Data fineTuneData() throws Exception {
      TrainSeq2SeqCommand.fieldsOnlyForJsonl(spec, data, "--text-field", "--label-field");
      return FineTune.Data.pairs(
          TrainSeq2SeqCommand.readPairs(data, textField, labelField, "text", "label"));
    }

    @Override
    FineTune.Task fineTuneTask() {
      return FineTune.Task.CLASSIFY;
    }

    @Override
    String what() {
      return "classification";
    }
  }
}
