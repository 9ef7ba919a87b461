package io.github.transformers4j.apps.cli;

import io.github.transformers4j.training.OutputFolder;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The output-folder options of every command that trains a model ({@code --output}, {@code
 * --resume}, {@code --overwrite}, {@code --reschedule}), and the one way they open the folder:
 * {@link OutputFolder}'s protocol.
 */
public final class OutputOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description =
          "Output folder. A new run writes into a hidden folder beside it and moves it into place"
              + " at its first checkpoint; an existing folder needs --resume or --overwrite.")
  Path output;

  @Option(
      names = "--resume",
      description =
          "Continue from the checkpoint in --output: the model options and the data's vocabulary"
              + " must be the checkpoint's; --steps may change; the learning-rate schedule stays"
              + " the checkpoint's unless --reschedule.")
  boolean resume;

  @Option(
      names = "--overwrite",
      description =
          "Replace the model in --output (of any kind, Hugging Face's too), once this run's first"
              + " checkpoint is saved; until then the old model stays.")
  boolean overwrite;

  @Option(
      names = "--reschedule",
      description =
          "With --resume: use this command line's learning-rate schedule (--lr, --warmup, --steps)"
              + " instead of the checkpoint's.")
  boolean reschedule;

  /** For Guice and Picocli. */
  @Inject
  public OutputOptions() {}

  /** The folder the user named. */
  public Path output() {
    return output;
  }

  /** Whether --resume was given. */
  public boolean resume() {
    return resume;
  }

  /** Whether --reschedule was given (checked to come with --resume by {@link #open}). */
  public boolean reschedule() {
    return reschedule;
  }

  /**
   * Opens {@code --output} for a run writing a {@code kind} model.
   *
   * @throws CommandLine.ParameterException for contradicting flags
   * @throws IllegalArgumentException naming the folder and what it holds, when the flags do not
   *     allow it
   */
  public OutputFolder open(String kind) throws IOException {
    if (resume && overwrite) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--resume and --overwrite contradict each other: --resume continues the model in"
              + " --output, --overwrite replaces it; give one");
    }
    if (reschedule && !resume) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--reschedule applies only with --resume (a new run has no schedule yet)");
    }
    return OutputFolder.open(output, kind, OutputFolder.mode(resume, overwrite));
  }
}
