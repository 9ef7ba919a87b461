package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.tasks.FillMask;
import io.github.transformers4j.models.tasks.MaskedLm;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code t4j fill-mask}: Hugging Face's fill-mask pipeline over a masked-LM folder. */
@Command(
    name = "fill-mask",
    mixinStandardHelpOptions = true,
    description = {
      "Fill the mask token of each text with the most probable tokens of a Hugging Face"
          + " masked-language model (BERT, RoBERTa, ELECTRA... with an *ForMaskedLM head).",
      "Prints, per text, one line per candidate: probability, token, completed text; --json"
          + " prints one JSON array per text with the pipeline's field names."
    })
public final class FillMaskCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Mixin TaskInput args;

  @Option(
      names = "--top-k",
      defaultValue = "5",
      converter = PositiveInt.class,
      description = "Candidates per mask (default ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--json", description = "One JSON array per text (score, token, token_str, sequence).")
  boolean json;


  /** The command over the global backend choice. */
  @Inject
  public FillMaskCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<String> input = args.texts();
    try (ComputeBackend backend = choice.create()) {
      TaskSupport.Loaded<MaskedLm> m =
          TaskSupport.load(spec, new Ops(backend), args.model, MaskedLm.class, "fill-mask",
              "a masked-language-model head (architectures: *ForMaskedLM)");
      FillMask pipeline =
          new FillMask(m.model(), m.tokenizer(), maskToken(args.model, m), TaskSupport.padId(m.config()));
      List<List<Map<String, Object>>> rows = new ArrayList<>();
      for (List<FillMask.Candidate> text : pipeline.fill(input, topK)) {
        rows.add(
            text.stream()
                .map(c -> TaskSupport.row(
                    "score", c.score(), "token", c.token(), "token_str", c.tokenText(),
                    "sequence", c.sequence()))
                .toList());
      }
      TaskSupport.print(
          out, json, rows,
          r -> TaskSupport.score((Double) r.get("score")) + "\t" + r.get("token_str") + "\t"
              + r.get("sequence"),
          true);
    }
    return 0;
  }

  /** The mask token: {@code tokenizer_config.json}'s {@code mask_token}, else [MASK] or <mask>. */
  static String maskToken(Path dir, TaskSupport.Loaded<?> m) throws IOException {
    Path tc = dir.resolve("tokenizer_config.json");
    if (Files.isRegularFile(tc)) {
      Object t = HfConfig.read(tc).get("mask_token");
      if (t instanceof Map<?, ?> map && map.get("content") instanceof String s) {
        return s;
      }
      if (t instanceof String s) {
        return s;
      }
    }
    for (String candidate : List.of("[MASK]", "<mask>")) {
      if (m.tokenizer().tokenId(candidate) >= 0) {
        return candidate;
      }
    }
    throw new IllegalArgumentException(
        dir + ": the tokenizer has no mask token ([MASK] or <mask>) and tokenizer_config.json"
            + " names none");
  }
}
