package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.PrecisionOption;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.VectorJson;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.bert.SentenceEmbedder;
import io.github.transformers4j.models.pretrained.Pretrained;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code t4j embed}: sentence embeddings from a Hugging Face BERT-family folder ({@code
 * config.json}, safetensors weights, the tokenizer files), as sentence-transformers computes them
 * for models such as all-MiniLM-L6-v2: the encoder's last hidden state, mean-pooled over the real
 * tokens (or the {@code [CLS]} vector), then L2-normalized. One JSON array per input line.
 */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description =
        "Sentence embeddings from a Hugging Face BERT-family folder: one JSON array per text (the"
            + " arguments, or the lines of standard input).")
public final class EmbedCommand implements Callable<Integer> {
  /** How token vectors become one sentence vector. */
  public enum PoolingMode {
    mean,
    cls
  }

  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      // File names on lines of their own: picocli would break a line after their dot.
      description = {
        "A Hugging Face folder with model_type bert:",
        "config.json, model.safetensors (or a sharded",
        "index) and tokenizer.json or vocab.txt."
      })
  Path model;

  @Option(
      names = "--pooling",
      defaultValue = "mean",
      description = "mean (over real tokens, as sentence-transformers) or cls (default ${DEFAULT-VALUE}).")
  PoolingMode pooling;

  @Option(names = "--no-normalize", description = "Print the pooled vector without L2 normalization.")
  boolean noNormalize;

  @Option(
      names = "--batch",
      defaultValue = "16",
      converter = PositiveInt.class,
      description = "Texts per forward pass (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--truncate",
      description =
          "Cut a text longer than the model's positions (max_position_embeddings) to them, as"
              + " sentence-transformers does; without it such a text is an error.")
  boolean truncate;

  @Mixin PrecisionOption quantize;

  @Parameters(paramLabel = "TEXT", description = "Texts to embed; standard input lines if none.")
  List<String> texts = new ArrayList<>();

  /** The command over the global backend choice. */
  @Inject
  public EmbedCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    String accepts = "a Hugging Face BERT folder (config.json, model.safetensors, tokenizer.json)";
    io.github.transformers4j.training.OutputFolder.Contents c = ModelFolders.inspect(model, accepts);
    // A BERT of 't4j train mlm|classify' is a Hugging Face BERT folder too once it holds the
    // root weights (folders of older versions have only checkpoint/).
    boolean ours =
        List.of("mlm", "classify").contains(c.kind())
            && java.nio.file.Files.isRegularFile(model.resolve(Pretrained.WEIGHTS));
    if (!ours
        && !c.kind().equals(io.github.transformers4j.training.OutputFolder.Contents.HUGGING_FACE)) {
      throw new IllegalArgumentException(
          "t4j embed reads " + accepts + "; --model " + model + " holds " + c.description());
    }
    List<String> input = texts.isEmpty() ? stdinLines() : texts;
    TextTokenizer tok;
    try {
      tok = Tokenizers.installed().forName("auto").load(model);
    } catch (IOException | IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), model + " has no tokenizer this library reads: " + e.getMessage());
    }
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      BertModel bert = Pretrained.load(ops, model, BertModel.class, quantize.get());
      quantize.report(choice, spec.commandLine().getErr(), bert);
      SentenceEmbedder embedder =
          new SentenceEmbedder(
              ops,
              bert,
              tok,
              pooling == PoolingMode.cls ? SentenceEmbedder.Pool.CLS : SentenceEmbedder.Pool.MEAN,
              !noNormalize,
              batch);
      if (truncate) {
        embedder = embedder.truncating();
      }
      // Batch by batch, so long inputs stream out as they are computed.
      for (int start = 0; start < input.size(); start += batch) {
        for (float[] v : embedder.embed(input.subList(start, Math.min(input.size(), start + batch)))) {
          out.println(VectorJson.format(v));
        }
        out.flush();
      }
    }
    return 0;
  }


  private static List<String> stdinLines() throws IOException {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    for (String line; (line = r.readLine()) != null; ) {
      lines.add(line);
    }
    return lines;
  }
}
