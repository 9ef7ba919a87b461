package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.training.OutputFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the task commands ({@code fill-mask}, {@code classify}, {@code ner}, {@code summarize},
 * {@code translate}) share: the folder check, the model of the wanted task, its tokenizer and
 * config, and the texts (arguments, or standard input lines).
 */
final class TaskSupport {
  private TaskSupport() {}

  /** A loaded folder: the model, its tokenizer and its {@code config.json}. */
  record Loaded<T>(T model, TextTokenizer tokenizer, Map<String, Object> config) {}

  /**
   * The folder's model, which must be a {@code type} (the task's interface), and its tokenizer.
   *
   * @param task the command, for messages
   * @param needs what the task needs, for messages ("a masked-language-model head")
   */
  static <T> Loaded<T> load(
      CommandSpec spec, Ops ops, Path model, Class<T> type, String task, String needs)
      throws IOException {
    String accepts = "a Hugging Face folder with " + needs + " (config.json, model.safetensors, tokenizer files)";
    OutputFolder.Contents c = ModelFolders.inspect(model, accepts);
    // A folder that t4j train wrote (recipe.json, checkpoint/) holds the Hugging Face files too.
    boolean hfFiles =
        java.nio.file.Files.isRegularFile(model.resolve(Pretrained.CONFIG))
            && (java.nio.file.Files.isRegularFile(model.resolve("model.safetensors"))
                || java.nio.file.Files.isRegularFile(model.resolve("model.safetensors.index.json")));
    if (!c.kind().equals(OutputFolder.Contents.HUGGING_FACE) && !hfFiles) {
      throw new IllegalArgumentException(
          "t4j " + task + " reads " + accepts + "; --model " + model + " holds " + c.description());
    }
    Map<String, Object> config = HfConfig.read(model.resolve(Pretrained.CONFIG));
    PretrainedModel m = Pretrained.load(ops, model);
    if (!type.isInstance(m)) {
      Object arch = config.get("architectures");
      throw new IllegalArgumentException(
          "t4j " + task + " needs " + needs + ": --model " + model + " holds a "
              + m.architecture() + " model"
              + (arch instanceof List<?> l && !l.isEmpty() ? " (" + l.get(0) + ")" : "")
              + " without one");
    }
    m.train(false, 0);
    TextTokenizer tok;
    try {
      tok = Tokenizers.installed().forName("auto").load(model);
    } catch (IOException | IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), model + " has no tokenizer this library reads: " + e.getMessage());
    }
    return new Loaded<>(type.cast(m), tok, config);
  }

  /** The pad id of the config ({@code pad_token_id}), else 0. */
  static int padId(Map<String, Object> config) {
    return config.get("pad_token_id") instanceof Number n ? n.intValue() : 0;
  }

  /** A score with four decimals, as the pipelines' outputs are usually shown. */
  static String score(double p) {
    return String.format(java.util.Locale.ROOT, "%.4f", p);
  }

  /**
   * Prints each text's results: with {@code json}, one JSON array per text (the pipeline's field
   * names); else one line per result from {@code line}, texts separated by a blank line when
   * {@code blankBetween}.
   */
  static void print(
      java.io.PrintWriter out, boolean json, List<List<Map<String, Object>>> results,
      java.util.function.Function<Map<String, Object>, String> line, boolean blankBetween) {
    com.google.gson.Gson gson = new com.google.gson.Gson();
    for (int i = 0; i < results.size(); i++) {
      if (json) {
        out.println(gson.toJson(results.get(i)));
        continue;
      }
      if (i > 0 && blankBetween) {
        out.println();
      }
      for (Map<String, Object> r : results.get(i)) {
        out.println(line.apply(r));
      }
    }
  }

  /** An ordered map of alternating keys and values. */
  static Map<String, Object> row(Object... kv) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
