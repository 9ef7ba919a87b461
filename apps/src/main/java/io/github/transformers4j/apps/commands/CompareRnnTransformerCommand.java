package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.training.metrics.ProgressBar;
import io.github.transformers4j.training.study.RnnTransformerStudy;
import io.github.transformers4j.training.study.StudyConfig;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code t4j compare rnn-transformer}: the study of issue 13 (matched LSTM, GRU and transformer
 * models measured for each row of the article's table) into {@code report.md} and PNG plots.
 */
@Command(
    name = "rnn-transformer",
    mixinStandardHelpOptions = true,
    description = {
      "Trains matched LSTM, GRU and transformer models (equal parameter counts) and measures the"
          + " article's table on this machine: tokens/s against T on 1 and 2 threads, copy and"
          + " recall accuracy against the distance d, live tensor bytes of training and the"
          + " decoding state, Shakespeare validation loss against time, latency per token.",
      "Writes report.md (each row with a verdict: confirmed, nuanced or contradicted) and PNG"
          + " plots. About 30 minutes; --quick under a minute at toy sizes."
    })
public final class CompareRnnTransformerCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(names = "--quick", description = "Toy sizes: the whole report in under a minute.")
  boolean quick;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR",
      description = "Folder for report.md and the plots (new, empty, or an earlier report with"
          + " --overwrite).")
  Path output;

  @Option(names = "--overwrite", description = "Replace an earlier report in --output.")
  boolean overwrite;

  @Option(
      names = "--data",
      paramLabel = "FILE",
      defaultValue = "testdata/data/tinyshakespeare.txt",
      description = "The Shakespeare text of the quality section (default ${DEFAULT-VALUE}).")
  Path data;

  /** The command over the global backend choice. */
  @Inject
  public CompareRnnTransformerCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws Exception {
    if (choice.threads().isPresent()) {
      throw new IllegalArgumentException(
          "compare rnn-transformer: --threads does not apply; the study measures 1 and 2 threads"
              + " itself");
    }
    if (!Files.isRegularFile(data)) {
      throw new IllegalArgumentException(
          "--data " + data + ": no such file (the study reads char-level Shakespeare from it;"
              + " run from the repository root or pass --data)");
    }
    BackendProvider provider = choice.provider();
    boolean canTrack = provider.options().contains("track_memory");
    RnnTransformerStudy.BackendFactory factory =
        (threads, track) -> {
          BackendOptions o = BackendOptions.none();
          if (provider.options().contains(BackendChoice.THREADS_OPTION)) {
            o = o.with(BackendChoice.THREADS_OPTION, Integer.toString(threads));
          }
          if (track && canTrack) {
            o = o.with("track_memory", "true");
          }
          return provider.create(o);
        };
    StudyConfig config = quick ? StudyConfig.quickConfig() : StudyConfig.full();
    long t0 = System.nanoTime();
    new RnnTransformerStudy(config, factory, data, System.err, ProgressBar.stderrIsTerminal())
        .runInto(output, overwrite);
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "wrote %s (report.md and plots) in %.1f s%n",
            output,
            (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
