package io.github.transformers4j.apps.commands.clip;

import io.github.transformers4j.clip.data.SyntheticShapes;
import io.github.transformers4j.clip.data.SyntheticShapes.Combination;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code t4j clip synth}: writes the synthetic color-shape dataset of {@link SyntheticShapes}. */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Write a synthetic captioned dataset: 64x64 PNGs of one shape (circle, square, triangle) in"
          + " one color (red, green, blue, yellow, white, black) on a noisy background.",
      "DIR gets train.csv and test.csv (OpenCLIP: filepath<TAB>caption), test-labels.tsv,"
          + " synth.json and images/{train,test}/. The test split has max(5, N/180) images of"
          + " each of the 18 combinations; --holdout combinations appear only there."
    })
public final class ClipSynthCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Dataset folder.")
  Path output;

  @Option(
      names = "--n",
      defaultValue = "24000",
      paramLabel = "N",
      description = "Training images (default ${DEFAULT-VALUE}).")
  int n;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--holdout",
      defaultValue = "green triangle,white circle",
      paramLabel = "LIST",
      description =
          "Comma-separated color-shape combinations kept out of the training split; \"\" for"
              + " none (default \"${DEFAULT-VALUE}\").")
  String holdout;

  @Option(
      names = "--palette-backgrounds",
      defaultValue = "0",
      paramLabel = "SHARE",
      description =
          "Share of images whose background is a shade of another palette color, so that every"
              + " color borders every shape (default ${DEFAULT-VALUE}); the rest get a color far"
              + " from all six.")
  double paletteBackgrounds;

  @Option(
      names = "--outline",
      description = "Give every shape a gray outline, the same for every color.")
  boolean outline;

  @Option(
      names = "--unnamed-colors",
      defaultValue = "0.85",
      paramLabel = "SHARE",
      description =
          "Share of training images whose shape has a color with no name in the palette (at least"
              + " 60 from every palette shade), captioned by the shape alone (\"a circle\"), so"
              + " that shape is learned apart from color (default ${DEFAULT-VALUE}; 0: only the"
              + " six colors).")
  double unnamedColors;

  @Option(names = "--overwrite", description = "Replace a dataset written here before.")
  boolean overwrite;

  /** For Guice. */
  @Inject
  public ClipSynthCommand() {}

  /** The combinations of a {@code --holdout} list. */
  static Set<Combination> parseHoldout(String list) {
    Set<Combination> out = new LinkedHashSet<>();
    for (String part : list.split(",")) {
      if (!part.isBlank()) {
        try {
          out.add(Combination.parse(part));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--holdout: " + e.getMessage(), e);
        }
      }
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    if (n < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--n must be >= 1 training image, got " + n);
    }
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // draws off-screen only
    }
    if (!(paletteBackgrounds >= 0 && paletteBackgrounds <= 1)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--palette-backgrounds must be a share between 0 and 1, got " + paletteBackgrounds);
    }
    if (!(unnamedColors >= 0 && unnamedColors < 1)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--unnamed-colors must be a share from 0 to below 1, got " + unnamedColors);
    }
    Set<Combination> held = parseHoldout(holdout);
    long total = n + 18L * SyntheticShapes.testPerClass(n);
    PrintStream err = System.err;
    long step = Math.max(1, total / 20);
    long t0 = System.nanoTime();
    SyntheticShapes.Written w =
        SyntheticShapes.write(
            output,
            n,
            seed,
            held,
            new SyntheticShapes.Style(paletteBackgrounds, outline, unnamedColors),
            overwrite,
            done -> {
              if (total >= 2000 && (done % step == 0 || done == total)) {
                err.printf(Locale.ROOT, "\rsynth: %d/%d images", done, total);
                if (done == total) {
                  err.println();
                }
              }
            });
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "wrote %d training and %d test images into %s (held out: %s) in %.1f s%n",
            w.train(),
            w.test(),
            output,
            held.isEmpty() ? "none" : String.join(", ", held.stream().map(Combination::label).toList()),
            (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
