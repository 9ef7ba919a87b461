package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import io.github.transformers4j.models.tasks.TextClassification;
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

/** {@code t4j classify}: Hugging Face's text-classification pipeline. */
@Command(
    name = "classify",
    mixinStandardHelpOptions = true,
    description = {
      "Classify texts with a Hugging Face sequence-classification folder (*ForSequenceClassification;"
          + " labels from config.json's id2label).",
      "Prints, per text, its best label and probability (--top-k N: the N best, one per line);"
          + " --json prints one JSON array per text."
    })
public final class ClassifyCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Mixin TaskInput args;

  @Option(
      names = "--top-k",
      defaultValue = "1",
      converter = PositiveInt.class,
      description = "Labels per text, best first (default ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--json", description = "One JSON array per text of {label, score}.")
  boolean json;


  /** The command over the global backend choice. */
  @Inject
  public ClassifyCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<String> input = args.texts();
    try (ComputeBackend backend = choice.create()) {
      TaskSupport.Loaded<SequenceClassifier> m =
          TaskSupport.load(spec, new Ops(backend), args.model, SequenceClassifier.class, "classify",
              "a sequence-classification head (architectures: *ForSequenceClassification)");
      boolean multi = "multi_label_classification".equals(m.config().get("problem_type"));
      TextClassification pipeline =
          new TextClassification(m.model(), m.tokenizer(), TaskSupport.padId(m.config()), multi);
      List<List<Map<String, Object>>> rows = new ArrayList<>();
      for (List<TextClassification.Label> labels : pipeline.classify(input)) {
        rows.add(
            labels.subList(0, Math.min(topK, labels.size())).stream()
                .map(l -> TaskSupport.row("label", l.label(), "score", l.score()))
                .toList());
      }
      if (json) {
        TaskSupport.print(out, true, rows, null, false);
      } else {
        // One line per text: each label and its probability, best first.
        for (List<Map<String, Object>> text : rows) {
          out.println(
              String.join(
                  "\t",
                  text.stream()
                      .map(r -> r.get("label") + "\t" + TaskSupport.score((Double) r.get("score")))
                      .toList()));
        }
      }
    }
    return 0;
  }
}
