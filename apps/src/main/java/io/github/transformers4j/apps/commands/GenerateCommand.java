package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.Seq2SeqRecipe;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j generate}: samples text from a model trained by {@code t4j train clm}, streaming it;
 * for a model of {@code t4j train seq2seq}, decodes the prompt as a source, greedily (streamed) or
 * by beams.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Generate text from a trained char-level GPT, printing each character as it comes; for a"
            + " seq2seq model, print the output for the source --prompt (greedy or --beams N).")
public final class GenerateCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "Output folder of 't4j train clm' or 't4j train seq2seq'.")
  Path model;

  @Option(names = "--prompt", defaultValue = "", description = "Text to continue.")
  String prompt;

  @Option(
      names = "--max-new",
      defaultValue = "200",
      description = "Characters to generate (default ${DEFAULT-VALUE}).")
  int maxNew;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Sampling seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--beams",
      defaultValue = "1",
      description = "Seq2seq only: beams, 1 = greedy (default ${DEFAULT-VALUE}).")
  int beams;

  /** The command over the global backend choice. */
  @Inject
  public GenerateCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    try (ComputeBackend backend = choice.create()) {
      if (Seq2SeqRecipe.isSeq2Seq(model)) {
        Seq2SeqRecipe.Loaded m = Seq2SeqRecipe.load(new Ops(backend), model);
        if (beams <= 1) {
          Seq2SeqRecipe.translateStreaming(
              m,
              prompt,
              piece -> {
                out.print(piece);
                out.flush();
              });
          out.println();
        } else {
          out.println(Seq2SeqRecipe.translate(m, java.util.List.of(prompt), beams, 1).get(0));
        }
        return 0;
      }
      CharLm.Loaded m = CharLm.load(new Ops(backend), model);
      out.print(prompt);
      CharLm.generate(
          m,
          prompt,
          maxNew,
          seed,
          id -> {
            out.print(m.tokenizer().decode(new int[] {id}));
            out.flush();
          });
      out.println();
      return 0;
    }
  }
}
