package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.spi.TokenSpans;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.models.tasks.TokenClassification;
import io.github.transformers4j.models.tasks.TokenClassifier;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code t4j ner}: Hugging Face's token-classification pipeline, "simple" aggregation. */
@Command(
    name = "ner",
    mixinStandardHelpOptions = true,
    description = {
      "Named entities of texts with a Hugging Face token-classification folder"
          + " (*ForTokenClassification; labels from config.json's id2label), word pieces grouped"
          + " into entities as the pipeline's \"simple\" aggregation does.",
      "Prints, per text, one line per entity: type, score, text, start, end (character offsets);"
          + " a blank line between texts; --json prints one JSON array per text."
    })
public final class NerCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Mixin TaskInput args;

  @Option(names = "--json", description = "One JSON array per text (entity_group, score, word, start, end).")
  boolean json;


  /** The command over the global backend choice. */
  @Inject
  public NerCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<String> input = args.texts();
    try (ComputeBackend backend = choice.create()) {
      TaskSupport.Loaded<TokenClassifier> m =
          TaskSupport.load(spec, new Ops(backend), args.model, TokenClassifier.class, "ner",
              "a token-classification head (architectures: *ForTokenClassification)");
      TokenClassification pipeline =
          new TokenClassification(
              m.model(),
              text -> {
                TokenSpans s = m.tokenizer().encodeSpans(text);
                return new TokenClassification.Tokens(s.ids(), s.starts(), s.ends(), s.special());
              },
              ids -> m.tokenizer().decodeIds(ids, true),
              TaskSupport.padId(m.config()));
      List<List<Map<String, Object>>> rows = new ArrayList<>();
      for (List<TokenClassification.Entity> text : pipeline.entities(input)) {
        rows.add(
            text.stream()
                .map(e -> TaskSupport.row(
                    "entity_group", e.group(), "score", e.score(), "word", e.word(),
                    "start", e.start(), "end", e.end()))
                .toList());
      }
      TaskSupport.print(
          out, json, rows,
          r -> r.get("entity_group") + "\t" + TaskSupport.score((Double) r.get("score")) + "\t"
              + r.get("word") + "\t" + r.get("start") + "\t" + r.get("end"),
          true);
    }
    return 0;
  }
}
