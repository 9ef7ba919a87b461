package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.clip.ClipConfig;
import io.github.transformers4j.clip.ClipModel;
import io.github.transformers4j.clip.image.ClipImageProcessor;
import io.github.transformers4j.training.data.Pixels;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code t4j bench clip}: image- and text-encoder throughput of a CLIP of OpenAI's ViT-B/32 shape
 * (vision 12 layers of 768, 32-pixel patches, 224 pixels; text 12 layers of 512, 77 tokens;
 * projection 512) with random weights. Each run encodes one batch of images, then one batch of
 * texts (77 tokens each, no padding); the medians of {@code --runs} runs after one warm-up run are
 * printed. With {@code --images DIR} the image side starts from the files (the first {@code
 * --batch} of the folder's images, sorted by name): reading, decoding and CLIP's preprocessing
 * (shortest edge to 224 by Pillow's bicubic, center crop, normalize) are timed with the encoder;
 * without it, the encoder alone runs on random pixels. {@code bench/clip_torch.py} is the PyTorch
 * peer ({@code bench/clip-vs-torch.sh} runs both).
 */
@Command(
    name = "clip",
    mixinStandardHelpOptions = true,
    description =
        "Image- and text-encoder throughput of a ViT-B/32-shaped CLIP (random weights).")
public final class ClipBenchCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--batch",
      defaultValue = "8",
      converter = PositiveInt.class,
      description = "Images and texts per batch (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--runs",
      defaultValue = "5",
      converter = PositiveInt.class,
      description = "Timed runs after one warm-up run; the median is printed (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--tokens",
      defaultValue = "77",
      converter = PositiveInt.class,
      description = "Tokens per text, at most 77 (default ${DEFAULT-VALUE}).")
  int tokens;

  @Option(
      names = "--images",
      paramLabel = "DIR",
      description =
          "Time preprocessing too: encode the first --batch images (PNG, JPEG, BMP, GIF) of DIR,"
              + " read and preprocessed in every run.")
  Path images;

  /** The command over the global backend choice. */
  @Inject
  public ClipBenchCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    ClipConfig config = ClipConfig.vitBase32().withSeed(1);
    if (tokens > config.text().maxPositionEmbeddings()) {
      throw new ParameterException(
          spec.commandLine(),
          "--tokens " + tokens + " exceeds the model's " + config.text().maxPositionEmbeddings()
              + " positions");
    }
    List<Path> files = images == null ? List.of() : imageFiles(images);
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      ClipModel model = new ClipModel(ops, config);
      int size = config.vision().imageSize();
      ClipImageProcessor processor = ClipImageProcessor.clip(size);
      SplittableRandom rng = new SplittableRandom(7);
      float[] noise = new float[batch * 3 * size * size];
      for (int i = 0; i < noise.length; i++) {
        noise[i] = (float) (rng.nextDouble() * 4 - 2);
      }
      int[] ids = new int[batch * tokens];
      int eos = config.text().eosTokenId();
      for (int r = 0; r < batch; r++) {
        for (int i = 0; i < tokens; i++) {
          ids[r * tokens + i] =
              i == 0 ? config.text().bosTokenId() : i == tokens - 1 ? eos : rng.nextInt(eos - 1);
        }
      }
      double[] imageMs = new double[runs];
      double[] textMs = new double[runs];
      for (int r = -1; r < runs; r++) {
        long t0 = System.nanoTime();
        Tensor pixels;
        if (files.isEmpty()) {
          pixels = ops.tensor(noise, batch, 3, size, size);
        } else {
          Pixels p = processor.batch(files);
          pixels = ops.tensor(p.data(), p.batch(), p.channels(), p.height(), p.width());
        }
        float[] img = model.encodeImage(ops, pixels).toFloatArray();
        long t1 = System.nanoTime();
        float[] txt = model.encodeText(ops, ops.ids(ids, batch, tokens)).toFloatArray();
        long t2 = System.nanoTime();
        if (!Float.isFinite(img[0]) || !Float.isFinite(txt[0])) {
          throw new IllegalStateException("the encoders returned a non-finite value");
        }
        if (r >= 0) {
          imageMs[r] = (t1 - t0) / 1e6;
          textMs[r] = (t2 - t1) / 1e6;
        } else {
          out.printf(Locale.ROOT, "warm-up run done in %.1f s%n", (t2 - t0) / 1e9);
          out.flush();
        }
      }
      double im = median(imageMs);
      double tm = median(textMs);
      String what = files.isEmpty() ? "model only" : "read + preprocess + model";
      out.printf(
          Locale.ROOT,
          "clip vit-b/32 (random weights, %.0f M parameters) on %s, batch %d, median of %d:"
              + " image %.1f ms (%s), %.2f images/s; text (%d tokens) %.1f ms, %.2f texts/s%n",
          model.parameterCount() / 1e6, backend.description(), batch, runs, im, what,
          batch / (im / 1e3), tokens, tm, batch / (tm / 1e3));
      return 0;
    }
  }

  private List<Path> imageFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(spec.commandLine(), "--images " + dir + " is not a folder");
    }
    List<Path> found = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif)"))
          .sorted()
          .forEach(found::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    if (found.size() < batch) {
      throw new ParameterException(
          spec.commandLine(),
          "--images " + dir + " holds " + found.size() + " images (png, jpg, bmp, gif), fewer than --batch "
              + batch);
    }
    return found.subList(0, batch);
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
