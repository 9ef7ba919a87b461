package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.Numbers;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.HfGenerationSettings;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.tasks.TaskSettings;
import io.github.transformers4j.models.tasks.TextGeneration;
import io.github.transformers4j.models.tasks.TextToText;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j summarize} and {@code t4j translate}: Hugging Face's summarization and translation
 * pipelines over an encoder-decoder folder. The generation settings are the folder's ({@code
 * generation_config.json}, else config.json's generation fields), then the task's entry in
 * {@code task_specific_params} (T5's prefix, beams and lengths), then the options.
 */
abstract class TextToTextCommand {
  private final BackendChoice choice;

  @Spec CommandSpec spec;

  @Mixin TaskInput args;

  @Option(
      names = "--beams",
      converter = PositiveInt.class,
      description = "Beam search with N beams (default: the folder's settings).")
  Integer beams;

  @Option(names = "--greedy", description = "Greedy decoding (default: the folder's settings).")
  boolean greedy;

  @Option(
      names = "--max-new",
      converter = Numbers.NonNegativeInt.class,
      description = "Tokens to generate at most (default: the folder's max_length).")
  Integer maxNew;

  @Option(
      names = "--batch",
      defaultValue = "8",
      converter = PositiveInt.class,
      description = "Texts per batch (default ${DEFAULT-VALUE}).")
  int batch;


  TextToTextCommand(BackendChoice choice) {
    this.choice = choice;
  }

  /** The command name. */
  abstract String name();

  /** The {@code task_specific_params} entry to apply, or null for none. */
  abstract String task(Map<String, Object> config);

  /** Runs the pipeline and prints one output line per text. */
  int run() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<String> input = args.texts();
    if (greedy && beams != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--greedy and --beams exclude each other");
    }
    try (ComputeBackend backend = choice.create()) {
      TaskSupport.Loaded<Seq2SeqLm> m =
          TaskSupport.load(spec, new Ops(backend), args.model, Seq2SeqLm.class, name(),
              "an encoder-decoder (T5, BART, Pegasus, Marian... *ForConditionalGeneration)");
      String task = task(m.config());
      Map<String, Object> params = task == null ? Map.of() : TaskSettings.of(m.config(), task);
      Map<String, Object> fields = new java.util.LinkedHashMap<>(HfGenerationSettings.read(args.model));
      for (Map.Entry<String, Object> e : params.entrySet()) {
        if (!e.getKey().equals("prefix")) {
          fields.put(e.getKey(), e.getValue());
        }
      }
      GenerationConfig g =
          HfGenerationSettings.apply(HfGenerationSettings.defaults(), fields, args.model.toString());
      if (beams != null) {
        g = HfGenerationSettings.withBeams(HfGenerationSettings.withSampling(g, false), beams);
      } else if (greedy) {
        g = HfGenerationSettings.greedy(g);
      }
      int room = TextGeneration.room(m.model(), 1);
      if (maxNew != null) {
        g = g.withMaxNewTokens(Math.min(maxNew, room)).withMaxLength(0);
      } else {
        g = g.withMaxNewTokens(Math.min(g.maxNewTokens(), room));
      }
      TextToText pipeline = new TextToText(m.model(), m.tokenizer(), TaskSettings.prefix(params));
      for (int start = 0; start < input.size(); start += batch) {
        for (String line : pipeline.generate(input.subList(start, Math.min(input.size(), start + batch)), g)) {
          out.println(line);
        }
        out.flush();
      }
    }
    return 0;
  }
}
