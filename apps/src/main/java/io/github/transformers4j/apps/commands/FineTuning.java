package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.OutputOptions;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.training.FineTune;
import io.github.transformers4j.training.OutputFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the four train commands share for {@code --from DIR} (see {@link FineTune}): when it
 * applies, the options it refuses (the model's shape comes from the folder), the fine-tuning
 * defaults of the options the user did not give, and the run with its summary line.
 */
final class FineTuning {
  private FineTuning() {}

  /** The help line of {@code --from} (the defaults it changes are the command's). */
  static final String FROM_HELP =
      "Fine-tune the Hugging Face model folder DIR (any supported family) instead of training a"
          + " new model: the data is encoded with DIR's tokenizer, the output is a folder of DIR's"
          + " family. Model-shape options and --tokenizer are refused; unless given, --lr is 5e-5"
          + " (3e-4 for t5/mt5), the final lr a tenth of it, --warmup a tenth of --steps,"
          + " --weight-decay 0 and --label-smoothing 0. --resume continues from --output's own files (--from may be given again or left out).";

  /** Whether this command line fine-tunes: {@code --from}, or {@code --resume} of such a folder. */
  static boolean applies(Path from, OutputOptions output) {
    return from != null || (output.resume() && FineTune.isFineTuned(output.output()));
  }

  /**
   * Refuses the {@code options} given on the command line: they describe a new model, and the
   * folder's model has its own.
   */
  static void refuse(CommandSpec spec, String... options) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    List<String> given = java.util.Arrays.stream(options).filter(parsed::hasMatchedOption).toList();
    if (!given.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          String.join(", ", given)
              + (given.size() == 1 ? " does" : " do")
              + " not apply with --from: the model's shape and tokenizer come from the folder"
              + " (its config.json and tokenizer files)");
    }
  }

  /** Whether the user gave {@code option}. */
  static boolean given(CommandSpec spec, String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  /** The fine-tuning learning rate of the folder's family: 3e-4 for T5 and mT5, else 5e-5. */
  static double defaultLr(Path from, OutputOptions output) throws IOException {
    Path dir = from != null ? from : output.output();
    if (!Pretrained.isModelFolder(dir)) {
      return 5e-5; // FineTune names the folder's problem
    }
    Object type = HfConfig.read(dir.resolve(Pretrained.CONFIG)).get("model_type");
    return "t5".equals(type) || "mt5".equals(type) ? 3e-4 : 5e-5;
  }

  /** Runs the fine-tuning and prints its summary line; returns the exit code. */
  static int run(
      CommandSpec spec,
      BackendChoice choice,
      OutputOptions output,
      FineTune.Task task,
      Path from,
      FineTune.Data data,
      FineTune.Settings s)
      throws Exception {
    try (OutputFolder folder = output.open(FineTune.TASK);
        ComputeBackend backend = choice.create()) {
      long t0 = System.nanoTime();
      FineTune.Run run =
          FineTune.train(
              new Ops(backend), task, from, data, s, folder, output.reschedule(), System.err);
      double secs = (System.nanoTime() - t0) / 1e9;
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "%s at step %d: val loss %.4f, %.1f s; %s in %s%n",
              run.result().interrupted() ? "stopped" : "done",
              run.result().step(),
              run.result().lastValLoss(),
              secs,
              run.description(),
              folder.dir());
      return 0;
    }
  }
}
