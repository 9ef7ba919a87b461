package io.github.transformers4j.apps.commands;

import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.apps.cli.PrecisionConverter;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.training.BertRecipe;
import io.github.transformers4j.training.CharLm;
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
        "Evaluate a trained char-level GPT on a text file or folder: mean loss, perplexity,"
            + " accuracy; for a seq2seq model, exact match on TSV/JSONL pairs, greedy and by"
            + " --beams; for mlm, masked-token accuracy; for classify, accuracy on labelled pairs.")
public final class EvalCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "Output folder of 't4j train clm' or 't4j train seq2seq'.")
  Path model;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "PATH",
      description = "Text file or folder; for seq2seq, pairs (.tsv or .jsonl).")
  Path data;

  @Option(
      names = "--batches",
      defaultValue = "50",
      description = "Random blocks: 12 rows (clm), 16 (mlm) (default ${DEFAULT-VALUE}).")
  int batches;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Block sampling seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--beams",
      defaultValue = "4",
      description = "Seq2seq only: beams compared with greedy (default ${DEFAULT-VALUE}).")
  int beams;

  @Option(
      names = "--quantize",
      paramLabel = "PRECISION",
      defaultValue = "f32",
      converter = PrecisionConverter.class,
      description =
          "Hold the matmul weights in int8 (per output channel) or bf16 for inference; f32 keeps"
              + " them as stored (default ${DEFAULT-VALUE}).")
  WeightPrecision quantize;

  /** The command over the global backend choice. */
  @Inject
  public EvalCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      if (Seq2SeqRecipe.isSeq2Seq(model)) {
        Seq2SeqRecipe.Loaded s2s = Seq2SeqRecipe.load(ops, model, quantize);
        reportWeights(s2s.model().model());
        var pairs = TrainSeq2SeqCommand.readPairs(data, "source", "target");
        out.printf(
            Locale.ROOT,
            "exact match greedy %.2f%%, beam %d %.2f%% over %d pairs%n",
            100 * Seq2SeqRecipe.exactMatch(s2s, pairs, 1),
            beams,
            100 * Seq2SeqRecipe.exactMatch(s2s, pairs, beams),
            pairs.size());
        return 0;
      }
      if (BertRecipe.isBert(model)) {
        BertRecipe.Loaded bert = BertRecipe.load(ops, model, quantize);
        BertRecipe.Eval e =
            bert.task() == BertRecipe.Task.MLM
                ? BertRecipe.evaluateMlm(ops, bert, Datasets.readText(data), batches, seed)
                : BertRecipe.evaluateClassifier(
                    ops, bert, TrainSeq2SeqCommand.readPairs(data, "text", "label"));
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
      CharLm.Loaded m = CharLm.load(ops, model, quantize);
      reportWeights(m.model().model());
      int[] ids = m.tokenizer().encode(Datasets.readText(data));
      int block = m.model().model().config().nPositions();
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

  // --verbose: the resident size of the weights in the chosen precision.
  private void reportWeights(io.github.transformers4j.models.nn.AbstractModule m) {
    if (choice.verbose()) {
      spec.commandLine().getErr().printf(
          java.util.Locale.ROOT, "weights: %s, %.1f MB resident%n", quantize.label(), m.weightBytes() / 1e6);
    }
  }
}
