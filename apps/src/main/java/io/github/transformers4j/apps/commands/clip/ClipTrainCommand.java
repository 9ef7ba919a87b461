package io.github.transformers4j.apps.commands.clip;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.Numbers;
import io.github.transformers4j.apps.cli.OutputOptions;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.clip.ClipEmbedder;
import io.github.transformers4j.clip.training.ClipEvaluation;
import io.github.transformers4j.clip.training.ClipRecipe;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.formats.BuiltInTokenizers;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import io.github.transformers4j.training.HfFolder;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.data.TextTokenizer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j clip train}: a CLIP trained from scratch on a captioned dataset ({@link ClipRecipe}),
 * over the built-in CLIP vocabulary; the output folder is a Hugging Face CLIP folder.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a CLIP (ViT image tower, text tower, contrastive loss) from scratch on a captioned"
          + " dataset: --data DIR with train.csv (OpenCLIP: filepath<TAB>caption) or train.jsonl,"
          + " and optionally test.csv for the validation loss and the final evaluation.",
      "Writes a Hugging Face CLIP folder (config.json, model.safetensors,"
          + " preprocessor_config.json, tokenizer.json) plus checkpoint/, metrics.jsonl and"
          + " loss.png into --output; at the end, on a test split, the figures of 't4j clip"
          + " eval'."
    })
public final class ClipTrainCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "Dataset folder (train.csv/.tsv/.jsonl, test.* optional) or a list file.")
  Path data;

  @Mixin OutputOptions output;

  @Option(
      names = "--image-size",
      converter = PositiveInt.class,
      defaultValue = "64",
      description = "Image side after preprocessing (default ${DEFAULT-VALUE}).")
  int imageSize;

  @Option(
      names = "--patch",
      converter = PositiveInt.class,
      defaultValue = "8",
      description = "ViT patch side, dividing --image-size (default ${DEFAULT-VALUE}).")
  int patch;

  @Option(
      names = "--width",
      converter = PositiveInt.class,
      defaultValue = "64",
      description = "Width of both towers (default ${DEFAULT-VALUE}).")
  int width;

  @Option(
      names = "--layers",
      converter = PositiveInt.class,
      defaultValue = "2",
      description = "Blocks of each tower (default ${DEFAULT-VALUE}).")
  int layers;

  @Option(
      names = "--heads",
      converter = PositiveInt.class,
      defaultValue = "4",
      description = "Attention heads of each tower (default ${DEFAULT-VALUE}).")
  int heads;

  @Option(
      names = "--projection",
      converter = PositiveInt.class,
      defaultValue = "64",
      description = "Width of the shared embedding space (default ${DEFAULT-VALUE}).")
  int projection;

  @Option(
      names = "--batch",
      converter = PositiveInt.class,
      defaultValue = "128",
      description = "Image-text pairs per batch (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--steps",
      converter = Numbers.PositiveLong.class,
      defaultValue = "8000",
      description = "Optimizer steps (default ${DEFAULT-VALUE}).")
  long steps;

  @Option(
      names = "--lr",
      converter = Numbers.PositiveDouble.class,
      defaultValue = "1e-3",
      description = "Peak learning rate (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(
      names = "--warmup",
      converter = Numbers.NonNegativeLong.class,
      defaultValue = "100",
      description = "Warmup steps, at most a tenth of --steps (default ${DEFAULT-VALUE}).")
  long warmup;

  @Option(
      names = "--weight-decay",
      converter = Numbers.NonNegativeDouble.class,
      defaultValue = "0.1",
      description = "AdamW weight decay (default ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(
      names = "--clip",
      converter = Numbers.NonNegativeDouble.class,
      defaultValue = "1.0",
      description = "Gradient-norm clip, 0 = none (default ${DEFAULT-VALUE}).")
  double clip;

  @Option(
      names = "--eval-every",
      converter = Numbers.NonNegativeLong.class,
      defaultValue = "500",
      description = "Validation loss and checkpoint every N steps (default ${DEFAULT-VALUE}).")
  long evalEvery;

  @Option(names = "--seed", defaultValue = "1", description = "Run seed (default ${DEFAULT-VALUE}).")
  long seed;

  /** The command over the global backend choice. */
  @Inject
  public ClipTrainCommand(BackendChoice choice) {
    this.choice = choice;
  }

  /**
   * Writes CLIP's tokenizer files as Hugging Face reads them: {@code tokenizer.json}, {@code
   * tokenizer_config.json} ({@code CLIPTokenizer}, 77 positions, its special tokens) and {@code
   * special_tokens_map.json}.
   */
  static void writeTokenizer(Path dir, Tokenizer tok) throws IOException {
    HfTokenizerJson.save(tok, dir.resolve("tokenizer.json"));
    Map<String, Object> specials = new LinkedHashMap<>();
    specials.put("bos_token", "<|startoftext|>");
    specials.put("eos_token", "<|endoftext|>");
    specials.put("unk_token", "<|endoftext|>");
    specials.put("pad_token", "<|endoftext|>");
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("tokenizer_class", "CLIPTokenizer");
    config.put("model_max_length", BuiltInTokenizers.CLIP_MAX_POSITIONS);
    config.put("do_lower_case", true);
    config.putAll(specials);
    HfFolder.writeJson(dir.resolve("tokenizer_config.json"), config);
    HfFolder.writeJson(dir.resolve("special_tokens_map.json"), specials);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.exists(data)) {
      throw new IllegalArgumentException("--data " + data + " does not exist");
    }
    ClipRecipe.Settings s;
    try {
      s =
          new ClipRecipe.Settings(
              imageSize, patch, width, layers, heads, projection, batch, steps, lr, warmup,
              weightDecay, clip, evalEvery, seed, 0);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Tokenizer bpe = BuiltInTokenizers.clip();
    TextTokenizer tok = io.github.transformers4j.clip.ClipTokenizers.adapt(bpe);
    try (OutputFolder folder = output.open(ClipRecipe.TASK);
        ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      long t0 = System.nanoTime();
      ClipRecipe.Run run =
          ClipRecipe.train(
              ops,
              data,
              tok,
              BuiltInTokenizers.CLIP_MAX_POSITIONS,
              dir -> writeTokenizer(dir, bpe),
              s,
              folder,
              output.reschedule(),
              System.err);
      double secs = (System.nanoTime() - t0) / 1e9;
      Trainer.Result r = run.result();
      String figures = "";
      if (run.valRows() > 0 && !r.interrupted()) {
        ClipEvaluation.Result e =
            ClipEvaluation.evaluate(
                new ClipEmbedder(ops, run.model().model(), tok, run.processor()).truncating(),
                data);
        figures = "; " + ClipEvalCommand.summary(e);
      }
      out.printf(
          Locale.ROOT,
          "%s at step %d: val loss %.4f%s; %.1f s; model in %s%n",
          r.interrupted() ? "stopped" : "done",
          r.step(),
          r.lastValLoss(),
          figures,
          secs,
          folder.dir());
      return 0;
    }
  }
}
