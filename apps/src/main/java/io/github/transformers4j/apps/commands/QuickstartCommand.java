package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.Numbers;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.Trainer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j quickstart}: with no arguments and no downloads, trains a small char-level GPT on the
 * project's own documentation (bundled in the jar), shows the progress bar for a few minutes (2.5
 * measured on 2 busy cores), saves the model and prints generated text.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Train a small char-level GPT on this project's documentation (2,000 steps: about 2.5"
          + " minutes on 2 busy cores of an AMD EPYC), save it and print generated text. No"
          + " downloads."
    })
public final class QuickstartCommand implements Callable<Integer> {
  static final String[] CORPUS = {"README.md", "architecture.md"};

  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  static final String DEFAULT_OUTPUT = "t4j-quickstart";

  @Option(
      names = "--output",
      defaultValue = DEFAULT_OUTPUT,
      paramLabel = "DIR",
      description =
          "Output folder (default ${DEFAULT-VALUE}, which each quickstart replaces); a folder"
              + " you name must be new or empty unless --overwrite.")
  Path output;

  @Option(
      names = "--overwrite",
      description = "Replace the model in --output once the new run's first checkpoint is saved.")
  boolean overwrite;

  @Option(
      names = "--steps",
      converter = Numbers.PositiveLong.class,
      defaultValue = "2000",
      description = "Optimizer steps (default ${DEFAULT-VALUE}).")
  long steps;

  /** The command over the global backend choice. */
  @Inject
  public QuickstartCommand(BackendChoice choice) {
    this.choice = choice;
  }

  static String corpus() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String name : CORPUS) {
      try (InputStream in =
          QuickstartCommand.class.getResourceAsStream("quickstart-corpus/" + name)) {
        if (in == null) {
          throw new IOException("quickstart corpus " + name + " is missing from the apps jar");
        }
        sb.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      }
    }
    return sb.toString();
  }

  private OutputFolder.Mode mode() throws java.io.IOException {
    return mode(output, spec.commandLine().getParseResult().hasMatchedOption("--output"), overwrite);
  }

  /**
   * The protocol mode of a quickstart: its own default folder is replaced by each quickstart (so
   * the README's first command can be run twice) as long as it holds a quickstart model (or an
   * unfinished one); a folder the user names follows the rule of every training command.
   *
   * @param named whether {@code --output} was given
   */
  public static OutputFolder.Mode mode(Path output, boolean named, boolean overwrite)
      throws java.io.IOException {
    if (!named && !overwrite) {
      String kind = OutputFolder.inspect(output.toAbsolutePath()).kind();
      if (kind.equals(CharLm.TASK) || kind.equals(OutputFolder.Contents.UNFINISHED)) {
        return OutputFolder.Mode.OVERWRITE;
      }
    }
    return overwrite ? OutputFolder.Mode.OVERWRITE : OutputFolder.Mode.NEW;
  }

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    String text = corpus();
    // nanoGPT's shakespeare_char CPU model, a little narrower so the 2-minute run goes further.
    CharLm.Settings s =
        new CharLm.Settings(
            64, 12, 4, 4, 128, 0f, steps, 2e-3, 2e-4, 50, 0.99, 0.1, 1.0, 1, 200, 10, 0.1, 1337);
    System.err.println(
        "t4j quickstart: training a char-level GPT on the project's docs ("
            + text.length()
            + " characters); Ctrl-C saves a checkpoint and stops.");
    try (OutputFolder folder = OutputFolder.open(output, CharLm.TASK, mode());
        ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      long t0 = System.nanoTime();
      Trainer.Result r = CharLm.train(ops, text, s, folder, false, System.err);
      double secs = (System.nanoTime() - t0) / 1e9;
      if (r.interrupted()) {
        // Ctrl-C: the trainer has said where the checkpoint is; the JVM is shutting down.
        return 130;
      }
      out.printf(
          Locale.ROOT,
          "trained %d steps in %.0f s (%.0f tokens/s), val loss %.3f; saved to %s%n",
          r.step(),
          secs,
          r.tokens() / secs,
          r.lastValLoss(),
          folder.dir());
      out.println("--- generated text ---");
      CharLm.Loaded m = CharLm.load(ops, folder.dir());
      String prompt = "Transformers4J ";
      out.print(prompt);
      CharLm.generate(
          m,
          prompt,
          300,
          7,
          id -> {
            out.print(m.tokenizer().decode(new int[] {id}));
            out.flush();
          });
      out.println();
      out.println("--- more: ./t4j generate --model " + output + " --prompt \"The \"");
      return 0;
    }
  }
}
