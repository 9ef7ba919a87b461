package io.github.transformers4j.clip.training;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.clip.ClipConfig;
import io.github.transformers4j.clip.ClipModel;
import io.github.transformers4j.clip.ClipTextConfig;
import io.github.transformers4j.clip.ClipTextInputs;
import io.github.transformers4j.clip.ClipVisionConfig;
import io.github.transformers4j.clip.data.CaptionedBatches;
import io.github.transformers4j.clip.data.CaptionedData;
import io.github.transformers4j.clip.data.CaptionedData.Captioned;
import io.github.transformers4j.clip.image.ClipImageProcessor;
import io.github.transformers4j.training.HfFolder;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.RunSchedule;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.data.TextTokenizer;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CLIP recipe: a {@link ClipModel} trained from scratch with the {@link Contrastive} objective
 * on a captioned dataset ({@link CaptionedData}: its {@code train} split, and its {@code test}
 * split, when there is one, for the validation loss), by AdamW on a cosine schedule. The output
 * folder is a Hugging Face {@code CLIPModel} folder at every checkpoint: {@code config.json}
 * ({@link ClipConfig#toMap}), {@code model.safetensors} under Hugging Face's names, {@code
 * preprocessor_config.json} and the tokenizer files (written by the caller's {@link
 * TokenizerFiles}, since this module does not read tokenizer formats), plus {@code recipe.json},
 * {@code checkpoint/}, {@code metrics.jsonl} and {@code loss.png}.
 *
 * <p>Both towers have the same width, depth and heads (the MLP 4× wide); the images are the
 * square {@code imageSize} crops of OpenAI's preprocessing (bicubic resize of the shortest edge,
 * center crop, CLIP's mean and std).
 */
public final class ClipRecipe {
  private ClipRecipe() {}

  /** The recipe file's task name. */
  public static final String TASK = "clip";

  /** Preprocessed images are kept in memory when they take at most this many bytes. */
  public static final long CACHE_BYTES = 1L << 30;

  /**
   * The hyper-parameters.
   *
   * @param imageSize image side after preprocessing (H = W)
   * @param patchSize ViT patch side; divides {@code imageSize}
   * @param width both towers' width C
   * @param layers both towers' blocks
   * @param heads both towers' attention heads
   * @param projection the shared embedding width P
   * @param batch image-text pairs per batch (the contrastive loss's B)
   * @param steps optimizer steps
   * @param lr peak learning rate (cosine to {@code lr / 10} after linear warmup)
   * @param warmup warmup steps
   * @param weightDecay AdamW decoupled decay (matrices only)
   * @param clip global gradient-norm clip, 0 = none
   * @param evalEvery validation loss every this many steps (and at the end), also the checkpoint
   *     interval
   * @param seed initialization, order and dropout seed
   * @param stopAt stop after this step as if interrupted, a checkpoint saved (0: run to {@code
   *     steps}); what Ctrl-C does, at a step known in advance (tests of the exact resume)
   */
  public record Settings(
      int imageSize,
      int patchSize,
      int width,
      int layers,
      int heads,
      int projection,
      int batch,
      long steps,
      double lr,
      long warmup,
      double weightDecay,
      double clip,
      long evalEvery,
      long seed,
      long stopAt) {

    /** Validates what the model configs do not. */
    public Settings {
      if (imageSize < 1 || patchSize < 1 || imageSize % patchSize != 0) {
        throw new IllegalArgumentException(
            "--image-size " + imageSize + " must be a positive multiple of --patch " + patchSize);
      }
      if (width % heads != 0) {
        throw new IllegalArgumentException(
            "--width " + width + " must be divisible by --heads " + heads);
      }
      if (batch < 2) {
        throw new IllegalArgumentException(
            "--batch must be >= 2: the contrastive loss needs other pairs in the batch, got "
                + batch);
      }
    }
  }

  /** Writes the tokenizer files of a Hugging Face folder into {@code dir}. */
  @FunctionalInterface
  public interface TokenizerFiles {
    /** Writes them (each atomically). */
    void write(Path dir) throws IOException;
  }

  /** What {@link #train} did. */
  public record Run(
      Trainer.Result result,
      ClipTrainable model,
      ClipImageProcessor processor,
      int trainRows,
      int valRows) {}

  // recipe.json model_config keys and the options that set them (for --resume checks).
  private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("vocab_size", "the tokenizer's vocabulary size");
    OPTIONS.put("image_size", "--image-size");
    OPTIONS.put("patch_size", "--patch");
    OPTIONS.put("width", "--width");
    OPTIONS.put("layers", "--layers");
    OPTIONS.put("heads", "--heads");
    OPTIONS.put("projection_dim", "--projection");
    OPTIONS.put("seed", "--seed");
  }

  /** The model configuration of {@code s} over {@code tok}'s vocabulary (77 positions). */
  public static ClipConfig config(Settings s, TextTokenizer tok, int maxPositions) {
    SpecialTokens sp = tok.specials();
    if (sp.eos() < 0 || sp.bos() < 0) {
      throw new IllegalArgumentException(
          "clip: the tokenizer needs start and end-of-text tokens (CLIP's <|startoftext|>"
              + " <|endoftext|>); it has start "
              + sp.bos()
              + ", end "
              + sp.eos());
    }
    ClipTextConfig text =
        ClipTextConfig.of(s.width(), s.layers(), s.heads(), 4 * s.width())
            .withVocabulary(
                tok.vocabSize(), maxPositions, sp.bos(), sp.eos(), sp.pad() >= 0 ? sp.pad() : sp.eos());
    ClipVisionConfig vision =
        ClipVisionConfig.of(
            s.imageSize(), s.patchSize(), s.width(), s.layers(), s.heads(), 4 * s.width());
    return new ClipConfig(text, vision, s.projection(), ClipConfig.LOGIT_SCALE_INIT)
        .withSeed(s.seed());
  }

  /**
   * Trains on {@code data} (a dataset folder or a list file), writing into {@code out} (a new
   * run's staging folder, moved into place at the first checkpoint; or the folder resumed).
   *
   * @param tok the text tokenizer (CLIP's BPE for a folder Hugging Face loads)
   * @param tokenizerFiles writes {@code tok}'s Hugging Face files beside the model
   * @throws IllegalArgumentException for bad data (naming the file and row), or when resuming with
   *     other model-defining settings (naming the option); nothing is written then
   */
  public static Run train(
      Ops ops,
      Path data,
      TextTokenizer tok,
      int maxPositions,
      TokenizerFiles tokenizerFiles,
      Settings s,
      OutputFolder out,
      boolean reschedule,
      PrintStream progress)
      throws IOException {
    Path trainFile = CaptionedData.splitFile(data, "train", "--data");
    List<Captioned> train = CaptionedData.read(trainFile);
    List<Captioned> val = List.of();
    if (Files.isDirectory(data)) {
      for (String ext : List.of(".csv", ".tsv", ".jsonl")) {
        if (Files.isRegularFile(data.resolve("test" + ext))) {
          val = CaptionedData.read(data.resolve("test" + ext));
          break;
        }
      }
    }
    ClipConfig cfg = config(s, tok, maxPositions);
    Map<String, Object> settings = settingsMap(s, tok.vocabSize());
    out.requireSameConfig(settings, OPTIONS);
    // Image paths relative to the data folder: the same data moved elsewhere is the same.
    Path base = trainFile.toAbsolutePath().normalize().getParent();
    List<Object> rows = new java.util.ArrayList<>();
    for (List<Captioned> part : List.of(train, val)) {
      rows.add("part " + part.size());
      for (Captioned c : part) {
        rows.add(base.relativize(c.image().toAbsolutePath().normalize()).toString());
        rows.add(c.caption());
      }
    }
    out.requireSameData(OutputFolder.fingerprint(rows), "--data");
    Path output = out.dir();
    OutputFolder.writeRecipe(output, TASK, "tokenizer.json", Map.of("model_config", settings));
    ClipImageProcessor processor = ClipImageProcessor.clip(s.imageSize());
    ClipTrainable model = new ClipTrainable(new ClipModel(ops, cfg));
    int[] chw = {3, s.imageSize(), s.imageSize()};
    // The cache keeps each image 8-bit after the resize and crop (one byte a value) and
    // normalizes it when a batch is made: the same floats, a quarter of the memory.
    long bytes = (long) chw[0] * chw[1] * chw[2] * (train.size() + val.size());
    boolean cache = bytes <= CACHE_BYTES;
    CaptionedBatches.Images images =
        new CaptionedBatches.Images() {
          @Override
          public float[] load(Path image) throws IOException {
            return processor.preprocess(image);
          }

          @Override
          public Object keep(Path image) throws IOException {
            return processor.preprocessed8bit(image);
          }

          @Override
          public float[] floats(Object kept) {
            return processor.toFloats((io.github.transformers4j.clip.image.RgbImage) kept);
          }
        };
    CaptionedBatches.Texts texts =
        captions -> {
          ClipTextInputs in = ClipTextInputs.encode(tok, captions, maxPositions);
          return new IntGrid[] {in.ids(), in.mask()};
        };
    CaptionedBatches trainBatches =
        new CaptionedBatches(train, s.batch(), chw, images, texts, s.seed(), true, cache);
    // One list of validation batches, read once: every evaluation sees the same ones.
    CaptionedBatches valBatches =
        val.isEmpty()
            ? null
            : new CaptionedBatches(val, s.batch(), chw, images, texts, s.seed(), false, cache);
    if (progress != null) {
      progress.printf(
          Locale.ROOT,
          "clip: %d training pairs from %s%s, %.2fM parameters (vocabulary %d), %d steps of %d"
              + " pairs, images %dx%d in %dx%d patches%s%n",
          train.size(),
          trainFile.getFileName(),
          val.isEmpty() ? "" : ", " + val.size() + " validation pairs",
          model.parameterSet().count() / 1e6,
          tok.vocabSize(),
          s.steps(),
          s.batch(),
          s.imageSize(),
          s.imageSize(),
          s.patchSize(),
          s.patchSize(),
          cache ? String.format(Locale.ROOT, ", images cached (%.0f MB)", bytes / 1e6) : "");
    }
    TrainerConfig tc =
        new TrainerConfig(
            s.steps(),
            1,
            s.clip(),
            RunSchedule.choose(
                out, s.lr(), s.lr() / 10, s.warmup(), s.steps(), reschedule, progress),
            s.evalEvery(),
            valBatches == null ? 0 : valBatches.batchesPerEpoch(),
            s.evalEvery(),
            output,
            s.seed(),
            s.stopAt());
    Trainer trainer =
        new Trainer(
            ops,
            model,
            new Contrastive(),
            new AdamW(0.9, 0.98, 1e-6, s.weightDecay(), false),
            tc,
            progress);
    trainer
        .writingTo(out)
        .exporting((dir, step) -> export(dir, cfg, model, processor, tokenizerFiles))
        .describe(RunSchedule.KEY, ((LrSchedule.Cosine) tc.schedule()).encode());
    Trainer.Result r =
        trainer.runStoppable(
            trainBatches,
            valBatches == null
                ? null
                : () -> {
                  valBatches.restore(Map.of("epoch", 0L, "index", 0L));
                  return valBatches;
                },
            out.resuming(),
            60);
    return new Run(r, model, processor, train.size(), val.size());
  }

  /** Writes the Hugging Face CLIP folder's files of {@code model} into {@code dir}. */
  static void export(
      Path dir,
      ClipConfig cfg,
      ClipTrainable model,
      ClipImageProcessor processor,
      TokenizerFiles tokenizerFiles)
      throws IOException {
    HfFolder.writeJson(dir.resolve("config.json"), cfg.toMap());
    HfFolder.writeWeights(dir, model.parameterSet(), name -> name, Map.of());
    processor.save(dir);
    tokenizerFiles.write(dir);
  }

  private static Map<String, Object> settingsMap(Settings s, int vocab) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("vocab_size", vocab);
    m.put("image_size", s.imageSize());
    m.put("patch_size", s.patchSize());
    m.put("width", s.width());
    m.put("layers", s.layers());
    m.put("heads", s.heads());
    m.put("projection_dim", s.projection());
    m.put("seed", s.seed());
    return m;
  }
}
