package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.PrecisionOption;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.training.BertRecipe;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.FineTune;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.Seq2SeqRecipe;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j eval}: the loss and perplexity of a trained char-level GPT on a text; for a seq2seq
 * model, exact match on (source, target) pairs, greedy and by beams.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a trained model: a char-level GPT (train clm) by mean loss and perplexity on a"
            + " text file or folder; seq2seq by exact match on TSV/JSONL pairs, greedy and by"
            + " --beams; mlm by loss and masked-token accuracy on text; classify by loss and"
            + " accuracy on labelled pairs.")
public final class EvalCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description =
          "Output folder of 't4j train clm', 'seq2seq', 'mlm' or 'classify' (also with --from).")
  Path model;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "PATH",
      description = "Text file or folder (clm, mlm); TSV or JSONL pairs (seq2seq, classify).")
  Path data;

  @Option(
      names = "--batches",
      defaultValue = "50",
      converter = PositiveInt.class,
      description =
          "clm and mlm only: random blocks of 12 rows (clm) or 16 (mlm) (default"
              + " ${DEFAULT-VALUE}).")
  int batches;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "clm and mlm only: block sampling seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--beams",
      defaultValue = "4",
      converter = PositiveInt.class,
      description = "Seq2seq only: beams compared with greedy (default ${DEFAULT-VALUE}).")
  int beams;

  @Mixin PrecisionOption quantize;

  /** The command over the global backend choice. */
  @Inject
  public EvalCommand(BackendChoice choice) {
    this.choice = choice;
  }

  private static final String ACCEPTS =
      "a model of 't4j train clm', 'seq2seq', 'mlm' or 'classify'";

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    java.io.PrintWriter err = spec.commandLine().getErr();
    OutputFolder.Contents c = ModelFolders.inspect(model, ACCEPTS);
    if (FineTune.isFineTuned(model)) {
      return fineTuned(c, out);
    }
    switch (c.kind()) {
      case Seq2SeqRecipe.TASK ->
          ModelFolders.reject(
              spec, c.description(), "its eval decodes every pair", "--batches", "--seed");
      case "classify" ->
          ModelFolders.reject(
              spec,
              c.description(),
              "its eval reads every pair; beam search is for seq2seq",
              "--batches",
              "--seed",
              "--beams");
      case CharLm.TASK, "mlm" ->
          ModelFolders.reject(spec, c.description(), "beam search is for seq2seq", "--beams");
      default ->
          throw new IllegalArgumentException(
              "t4j eval reads "
                  + ACCEPTS
                  + "; --model "
                  + model
                  + " holds "
                  + c.description());
    }
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      if (c.kind().equals(Seq2SeqRecipe.TASK)) {
        Seq2SeqRecipe.Loaded s2s = Seq2SeqRecipe.load(ops, model, quantize.get());
        reportWeights(s2s.model().module());
        var pairs = TrainSeq2SeqCommand.readPairs(data, "source", "target", "source", "target");
        ModelFolders.noteUnknown(s2s.tokenizer(), joined(pairs), err, "--data");
        out.printf(
            Locale.ROOT,
            "exact match greedy %.2f%%, beam %d %.2f%% over %d pairs%n",
            100 * Seq2SeqRecipe.exactMatch(s2s, pairs, 1),
            beams,
            100 * Seq2SeqRecipe.exactMatch(s2s, pairs, beams),
            pairs.size());
        return 0;
      }
      if (!c.kind().equals(CharLm.TASK)) {
        BertRecipe.Loaded bert = BertRecipe.load(ops, model, quantize.get());
        BertRecipe.Eval e;
        if (bert.task() == BertRecipe.Task.MLM) {
          String text = text();
          ModelFolders.noteUnknown(bert.tokenizer(), text, err, "--data");
          e = BertRecipe.evaluateMlm(ops, bert, text, batches, seed);
        } else {
          var pairs = TrainSeq2SeqCommand.readPairs(data, "text", "label", "text", "label");
          ModelFolders.noteUnknown(bert.tokenizer(), joined(pairs), err, "--data");
          e = BertRecipe.evaluateClassifier(ops, bert, pairs);
        }
        out.printf(
            Locale.ROOT,
            "loss %.4f, %s accuracy %.2f%% over %d %s%n",
            e.loss(),
            bert.task() == BertRecipe.Task.MLM ? "masked-token" : "classification",
            100 * e.accuracy(),
            e.count(),
            bert.task() == BertRecipe.Task.MLM ? "masked tokens" : "examples");
        return 0;
      }
      CharLm.Loaded m = CharLm.load(ops, model, quantize.get());
      reportWeights(m.model().module());
      String text = text();
      int[] ids = m.tokenizer().encode(text);
      ModelFolders.noteUnknown(m.tokenizer(), text, err, "--data");
      int block = m.block();
      if (ids.length < block + 2) {
        throw new IllegalArgumentException(
            "--data "
                + data
                + " has "
                + ids.length
                + " characters; the model's blocks need at least "
                + (block + 2));
      }
      Trainer t =
          new Trainer(
              ops,
              m.model(),
              new CausalLm(false),
              new AdamW(0),
              TrainerConfig.simple(1, 1e-3, seed),
              null);
      double loss = t.evaluate(new BlockSampler(ids, 12, block, seed), batches);
      out.printf(
          Locale.ROOT,
          "loss %.4f, perplexity %.3f over %d blocks of %d%n",
          loss,
          Math.exp(loss),
          batches * 12,
          block);
      return 0;
    }
  }

  // A folder of 't4j train ... --from': the loss (and accuracy) of its task, data encoded as in
  // training.
  private int fineTuned(OutputFolder.Contents c, java.io.PrintWriter out) throws Exception {
    ModelFolders.reject(spec, c.description(), "it is scored by its loss, not decoded", "--beams");
    String task =
        String.valueOf(
            io.github.transformers4j.models.config.HfConfig.read(
                    model.resolve(OutputFolder.RECIPE))
                .get("finetune"));
    FineTune.Data d =
        switch (task) {
          case "seq2seq" ->
              FineTune.Data.pairs(
                  TrainSeq2SeqCommand.readPairs(data, "source", "target", "source", "target"));
          case "classify" ->
              FineTune.Data.pairs(
                  TrainSeq2SeqCommand.readPairs(data, "text", "label", "text", "label"));
          default -> FineTune.Data.text(text());
        };
    if (!task.equals("clm") && !task.equals("mlm")) {
      ModelFolders.reject(spec, c.description(), "its eval reads every pair", "--batches");
    }
    try (ComputeBackend backend = choice.create()) {
      FineTune.Eval e = FineTune.evaluate(new Ops(backend), model, d, batches, seed);
      String unit =
          switch (e.task()) {
            case CLM -> "tokens";
            case MLM -> "masked tokens";
            case SEQ2SEQ -> "target tokens";
            case CLASSIFY -> "examples";
          };
      out.printf(
          Locale.ROOT,
          "loss %.4f%s%s over %d %s%n",
          e.loss(),
          e.task() == FineTune.Task.CLASSIFY
              ? ""
              : String.format(Locale.ROOT, ", perplexity %.3f", Math.exp(e.loss())),
          Double.isNaN(e.accuracy())
              ? ""
              : String.format(Locale.ROOT, ", accuracy %.2f%%", 100 * e.accuracy()),
          e.count(),
          unit);
      return 0;
    }
  }

  private String text() throws java.io.IOException {
    String text = Datasets.readText(data);
    if (text.isBlank()) {
      throw new IllegalArgumentException("--data " + data + " holds no text to evaluate on");
    }
    return text;
  }

  private static String joined(java.util.List<Datasets.Pair> pairs) {
    StringBuilder b = new StringBuilder();
    for (Datasets.Pair p : pairs) {
      b.append(p.source()).append(p.target());
    }
    return b.toString();
  }

  // --verbose: the resident size of the weights in the chosen precision.
  private void reportWeights(io.github.transformers4j.models.nn.AbstractModule m) {
    quantize.report(choice, spec.commandLine().getErr(), m);
  }
}
