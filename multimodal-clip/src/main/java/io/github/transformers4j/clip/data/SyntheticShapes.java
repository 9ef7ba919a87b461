package io.github.transformers4j.clip.data;

import com.google.gson.GsonBuilder;
import io.github.transformers4j.api.io.AtomicFiles;
import io.github.transformers4j.training.data.Rng;
import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A synthetic captioned dataset for training CLIP from scratch: 64×64 RGB images, each with one
 * shape ({@link Shape}) of one color ({@link Color}) at a random position and size on a noisy
 * background, and captions from several templates. Whole color-shape combinations can be held out
 * of the training split, to measure whether a model composes color and shape it never saw together.
 *
 * <p>Everything is a pure function of the seed: image {@code i} of a split is drawn from {@code
 * Rng.derive(seed, split, i)}, so the same seed writes byte-identical files.
 *
 * <p>The shape's fill is a random shade of its color ({@link #shade}); the background color is
 * drawn at least {@link #BACKGROUND_DISTANCE} (Euclidean, 0–255 RGB) away from every palette color
 * and from the fill, so it is never itself one of the six colors a caption names and a caption's
 * color always means the shape's. Varied shades and noise on both keep a model from recognizing a
 * shape by the exact pixel values of the colors it saw it in.
 */
public final class SyntheticShapes {
  /** Image side in pixels. */
  public static final int SIDE = 64;

  /** The least RGB distance of a background from every palette color. */
  public static final double BACKGROUND_DISTANCE = 120;

  /** The outline's RGB: a mid gray, the same for every shape and color. */
  static final int[] OUTLINE = {128, 128, 128};

  /** The outline's width in pixels (centered on the shape's edge). */
  static final double OUTLINE_WIDTH = 2;

  /**
   * How images are drawn.
   *
   * @param paletteBackgrounds the share of images whose background is a shade of one of the other
   *     palette colors (the rest: a color far from all six)
   * @param outline whether each shape gets a gray outline ({@link #OUTLINE}), the same for every
   *     color, so that a shape's contour looks alike whatever its fill (backgrounds then also
   *     stay {@link #BACKGROUND_DISTANCE} from that gray)
   * @param unnamedColors the share of training images whose shape (any of the three) is filled
   *     with a color that has no name in the palette, at least {@link #UNNAMED_DISTANCE} from every
   *     shade a palette color can take ({@link #unnamedFill}), and captioned by its shape alone
   *     ("a circle"): they show every shape across the colors, so that the model learns shape
   *     apart from color. They take no palette color, so no held-out combination appears in
   *     training. The test split has none.
   */
  public record Style(double paletteBackgrounds, boolean outline, double unnamedColors) {
    /** Validates the shares. */
    public Style {
      if (!(paletteBackgrounds >= 0 && paletteBackgrounds <= 1)) {
        throw new IllegalArgumentException(
            "--palette-backgrounds must be a share between 0 and 1, got " + paletteBackgrounds);
      }
      if (!(unnamedColors >= 0 && unnamedColors < 1)) {
        throw new IllegalArgumentException(
            "--unnamed-colors must be a share from 0 to below 1, got " + unnamedColors);
      }
    }

    /** A style without unnamed colors. */
    public Style(double paletteBackgrounds, boolean outline) {
      this(paletteBackgrounds, outline, 0);
    }
  }

  /** The default share of training images in unnamed colors (see {@link Style}). */
  public static final double DEFAULT_UNNAMED_COLORS = 0.85;

  /**
   * The default style: no palette backgrounds, no outline (both were tried against the held-out
   * combinations and did worse; README, "CLIP: synthetic data"), and {@value
   * #DEFAULT_UNNAMED_COLORS} of the training images in unnamed colors.
   */
  public static final Style DEFAULT_STYLE = new Style(0, false, DEFAULT_UNNAMED_COLORS);

  /**
   * The least RGB distance of an unnamed color from the shades of the palette colors (a grid over
   * each color's hue, saturation and brightness ranges in {@link #shade}: 1° of hue, 0.02 of
   * saturation and of brightness).
   */
  public static final double UNNAMED_DISTANCE = 60;

  /** The caption templates of unnamed-color images: the shape alone. */
  public static final List<String> SHAPE_TEMPLATES = List.of("a {s}", "a {s} {p}", "a {z} {s}");

  /** The shapes. */
  public enum Shape {
    CIRCLE,
    SQUARE,
    TRIANGLE;

    /** The caption word. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The palette: the caption word and its RGB. */
  public enum Color {
    RED(220, 30, 30),
    GREEN(30, 180, 40),
    BLUE(30, 60, 220),
    YELLOW(240, 220, 30),
    WHITE(245, 245, 245),
    BLACK(15, 15, 15);

    final int r;
    final int g;
    final int b;

    Color(int r, int g, int b) {
      this.r = r;
      this.g = g;
      this.b = b;
    }

    /** The caption word. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A color-shape combination: one of the 18 classes, named as captions name it. */
  public record Combination(Color color, Shape shape) {
    /** "green triangle". */
    public String label() {
      return color.word() + " " + shape.word();
    }

    /** All 18, colors outer, shapes inner. */
    public static List<Combination> all() {
      List<Combination> out = new ArrayList<>();
      for (Color c : Color.values()) {
        for (Shape s : Shape.values()) {
          out.add(new Combination(c, s));
        }
      }
      return out;
    }

    /**
     * Parses "green triangle".
     *
     * @throws IllegalArgumentException naming the text and the colors and shapes there are
     */
    public static Combination parse(String text) {
      String t = text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
      for (Combination c : all()) {
        if (c.label().equals(t)) {
          return c;
        }
      }
      throw new IllegalArgumentException(
          "'"
              + text.trim()
              + "' is not a color-shape combination: expected '<color> <shape>' with a color of"
              + " red, green, blue, yellow, white, black and a shape of circle, square, triangle");
    }
  }

  /** One drawn image: what it shows, the fill's RGB (before noise) and its caption. */
  public record Drawn(BufferedImage image, Combination what, int[] fill, String caption) {}

  /** Caption templates; {@code {c}} color, {@code {s}} shape, {@code {p}} position, {@code {z}} size. */
  public static final List<String> TEMPLATES =
      List.of(
          "a {c} {s}",
          "a photo of a {c} {s}",
          "a photo of a {c} {s} {p}",
          "a {z} {c} {s}",
          "a drawing of a {c} {s}",
          "a {s} that is {c}",
          "there is a {c} {s} {p}",
          "{c} {s}",
          // The shape alone: a direction of its own for each shape. (Not the color alone: color
          // is the easy cue; captions naming it alone make it dominate the image embedding, and
          // the model then names an unseen combination by the shape it saw in that color.)
          "a {s}",
          "a {s} {p}",
          "a {z} {s}");

  /**
   * The split sizes: {@code n} training images of the combinations not held out (each drawn
   * uniformly), and a test split of {@code perClass} images of each of the 18 combinations.
   */
  public static int testPerClass(int n) {
    return Math.max(5, n / 180);
  }

  private SyntheticShapes() {}

  /**
   * Draws an image of combination {@code what} from {@code rng}: the shape's fill is a random
   * shade of its color ({@link #shade}), both the fill and the background carry per-pixel noise,
   * and the shape's edge is antialiased into the background.
   */
  public static Drawn draw(Combination what, Rng rng) {
    return draw(what, rng, DEFAULT_STYLE);
  }

  /** As {@link #draw(Combination, Rng)}, in {@code style}. */
  public static Drawn draw(Combination what, Rng rng, Style style) {
    return draw(what, rng, style, false);
  }

  /**
   * An image of {@code shape} filled with an unnamed color ({@link #unnamedFill}), captioned by
   * the shape alone; its {@link Drawn#what()} carries the shape with a placeholder color that the
   * image does not show.
   */
  public static Drawn drawUnnamed(Shape shape, Rng rng, Style style) {
    return draw(new Combination(Color.BLACK, shape), rng, style, true);
  }

  private static Drawn draw(Combination what, Rng rng, Style style, boolean unnamed) {
    // Side 25-70 % of the image, anywhere it fits entirely.
    int size = (int) Math.round(SIDE * (0.25 + 0.45 * rng.nextDouble()));
    int x0 = rng.nextInt(SIDE - size + 1);
    int y0 = rng.nextInt(SIDE - size + 1);
    int[] fill = unnamed ? unnamedFill(rng) : shade(what.color(), rng);
    int[] bg =
        style.paletteBackgrounds() > 0 && rng.nextDouble() < style.paletteBackgrounds()
            ? paletteBackground(rng, what.color(), fill, style.outline())
            : background(rng, fill, style.outline());
    // The shape's coverage of each pixel (0-255) and its outline's, antialiased by Java2D.
    byte[] cover = mask(what.shape(), x0, y0, size, false);
    byte[] line = style.outline() ? mask(what.shape(), x0, y0, size, true) : new byte[SIDE * SIDE];
    BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        double a = (cover[y * SIDE + x] & 255) / 255.0;
        double o = (line[y * SIDE + x] & 255) / 255.0;
        int rgb = 0;
        for (int ch = 0; ch < 3; ch++) {
          double back = bg[ch] + rng.nextInt(49) - 24;
          double front = fill[ch] + rng.nextInt(25) - 12;
          double v = a * front + (1 - a) * back;
          if (style.outline()) { // (no draws without it: the default images stay as they were)
            double edge = OUTLINE[ch] + rng.nextInt(25) - 12;
            v = o * edge + (1 - o) * v;
          }
          rgb = (rgb << 8) | clamp((int) Math.round(v));
        }
        img.setRGB(x, y, rgb);
      }
    }
    Color c = what.color();
    String template =
        unnamed
            ? SHAPE_TEMPLATES.get(rng.nextInt(SHAPE_TEMPLATES.size()))
            : TEMPLATES.get(rng.nextInt(TEMPLATES.size()));
    String caption =
        template
            .replace("{c}", c.word())
            .replace("{s}", what.shape().word())
            .replace("{p}", position(x0 + size / 2.0, y0 + size / 2.0))
            .replace("{z}", size < 0.4 * SIDE ? "small" : size > 0.55 * SIDE ? "large" : "medium");
    return new Drawn(img, what, fill, caption);
  }

  /** The coverage (0-255 per pixel) of the shape, or of its outline, drawn by Java2D. */
  private static byte[] mask(Shape shape, int x0, int y0, int size, boolean outline) {
    BufferedImage mask = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = mask.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(java.awt.Color.WHITE);
      if (outline) {
        g.setStroke(new BasicStroke((float) OUTLINE_WIDTH));
        switch (shape) {
          case CIRCLE -> g.draw(new Ellipse2D.Double(x0, y0, size, size));
          case SQUARE -> g.draw(new Rectangle2D.Double(x0, y0, size, size));
          case TRIANGLE -> g.draw(triangle(x0, y0, size));
        }
      } else {
        switch (shape) {
          case CIRCLE -> g.fillOval(x0, y0, size, size);
          case SQUARE -> g.fillRect(x0, y0, size, size);
          case TRIANGLE -> g.fillPolygon(triangle(x0, y0, size));
        }
      }
    } finally {
      g.dispose();
    }
    return ((java.awt.image.DataBufferByte) mask.getRaster().getDataBuffer()).getData();
  }

  private static Polygon triangle(int x0, int y0, int size) {
    return new Polygon(
        new int[] {x0, x0 + size, x0 + size / 2}, new int[] {y0 + size, y0 + size, y0}, 3);
  }

  private static String position(double cx, double cy) {
    String h = cx < SIDE / 3.0 ? "left" : cx > 2 * SIDE / 3.0 ? "right" : "";
    String v = cy < SIDE / 3.0 ? "top" : cy > 2 * SIDE / 3.0 ? "bottom" : "";
    if (h.isEmpty() && v.isEmpty()) {
      return "in the middle";
    }
    if (v.isEmpty()) {
      return "on the " + h;
    }
    return h.isEmpty() ? "at the " + v : "at the " + v + " " + h;
  }

  /**
   * A random shade of {@code c} as RGB: the hue within a few degrees of the color's, saturation and
   * brightness over a wide range (white: nearly unsaturated and bright; black: dark), so that no
   * single RGB value stands for a color name.
   */
  public static int[] shade(Color c, Rng rng) {
    return switch (c) {
      case RED -> hsv(jitter(rng, 0, 10), between(rng, 0.75, 1), between(rng, 0.7, 1));
      case GREEN -> hsv(jitter(rng, 125, 15), between(rng, 0.65, 1), between(rng, 0.55, 0.9));
      case BLUE -> hsv(jitter(rng, 228, 12), between(rng, 0.7, 1), between(rng, 0.7, 1));
      case YELLOW -> hsv(jitter(rng, 54, 6), between(rng, 0.75, 1), between(rng, 0.85, 1));
      case WHITE -> hsv(rng.nextDouble() * 360, between(rng, 0, 0.08), between(rng, 0.9, 1));
      case BLACK -> hsv(rng.nextDouble() * 360, between(rng, 0, 0.4), between(rng, 0, 0.15));
    };
  }

  private static volatile int[][] paletteShades;

  /** Every palette color's shades on the grid of {@link #UNNAMED_DISTANCE}. */
  private static int[][] paletteShades() {
    int[][] grid = paletteShades;
    if (grid != null) {
      return grid;
    }
    // The ranges of shade(): hue center ± spread (white and black: any hue), saturation, value.
    double[][] ranges = {
      {0, 10, 0.75, 1, 0.7, 1},
      {125, 15, 0.65, 1, 0.55, 0.9},
      {228, 12, 0.7, 1, 0.7, 1},
      {54, 6, 0.75, 1, 0.85, 1},
      {180, 180, 0, 0.08, 0.9, 1},
      {180, 180, 0, 0.4, 0, 0.15}
    };
    java.util.Set<Integer> seen = new java.util.LinkedHashSet<>();
    for (double[] r : ranges) {
      for (double h = r[0] - r[1]; h <= r[0] + r[1] + 1e-9; h += 1) {
        for (double sat = r[2]; sat <= r[3] + 1e-9; sat += 0.02) {
          for (double v = r[4]; v <= r[5] + 1e-9; v += 0.02) {
            int[] c = hsv(h, Math.min(sat, 1), Math.min(v, 1));
            seen.add((c[0] << 16) | (c[1] << 8) | c[2]);
          }
        }
      }
    }
    grid = new int[seen.size()][];
    int i = 0;
    for (int rgb : seen) {
      grid[i++] = new int[] {rgb >> 16, (rgb >> 8) & 255, rgb & 255};
    }
    paletteShades = grid;
    return grid;
  }

  /**
   * A fill with no name in the palette: a uniformly random RGB color at least {@link
   * #UNNAMED_DISTANCE} from every shade of every palette color (orange, purple, pink, cyan, brown,
   * gray, dark blue and so on; never near white, green or any other palette color).
   */
  public static int[] unnamedFill(Rng rng) {
    int[][] shades = paletteShades();
    double limit = UNNAMED_DISTANCE * UNNAMED_DISTANCE;
    while (true) {
      int[] c = {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
      boolean far = true;
      for (int[] p : shades) {
        int dr = c[0] - p[0];
        int dg = c[1] - p[1];
        int db = c[2] - p[2];
        if (dr * dr + dg * dg + db * db < limit) {
          far = false;
          break;
        }
      }
      if (far) {
        return c;
      }
    }
  }

  private static double jitter(Rng rng, double center, double spread) {
    return center + (2 * rng.nextDouble() - 1) * spread;
  }

  private static double between(Rng rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }

  private static int[] hsv(double h, double s, double v) {
    java.awt.Color rgb = java.awt.Color.getHSBColor((float) (((h % 360) + 360) % 360 / 360), (float) s, (float) v);
    return new int[] {rgb.getRed(), rgb.getGreen(), rgb.getBlue()};
  }

  private static double distance(int[] a, int r, int g, int b) {
    return Math.sqrt(
        (double) (a[0] - r) * (a[0] - r) + (double) (a[1] - g) * (a[1] - g) + (double) (a[2] - b) * (a[2] - b));
  }

  /**
   * A shade of one of the palette colors other than {@code not}, at least {@link
   * #BACKGROUND_DISTANCE} from the fill.
   */
  private static int[] paletteBackground(Rng rng, Color not, int[] fill, boolean outline) {
    while (true) {
      Color c = Color.values()[rng.nextInt(Color.values().length)];
      if (c == not) {
        continue;
      }
      int[] bg = shade(c, rng);
      if (distance(bg, fill[0], fill[1], fill[2]) >= BACKGROUND_DISTANCE
          && (!outline || distance(bg, OUTLINE[0], OUTLINE[1], OUTLINE[2]) >= BACKGROUND_DISTANCE)) {
        return bg;
      }
    }
  }

  private static int[] background(Rng rng, int[] fill, boolean outline) {
    while (true) {
      int[] c = {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
      boolean far =
          distance(c, fill[0], fill[1], fill[2]) >= BACKGROUND_DISTANCE
              && (!outline || distance(c, OUTLINE[0], OUTLINE[1], OUTLINE[2]) >= BACKGROUND_DISTANCE);
      for (Color p : Color.values()) {
        far &= distance(c, p.r, p.g, p.b) >= BACKGROUND_DISTANCE;
      }
      if (far) {
        return c;
      }
    }
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  /** What {@link #write} wrote. */
  public record Written(Path dir, int train, int test, Set<Combination> heldOut) {}

  /** The dataset description file. */
  public static final String DESCRIPTION = "synth.json";

  /** The training split's captions (OpenCLIP CSV). */
  public static final String TRAIN = "train.csv";

  /** The test split's captions (OpenCLIP CSV). */
  public static final String TEST = "test.csv";

  /** The test split's classes: {@code filepath<TAB>label<TAB>combination} (seen or held-out). */
  public static final String TEST_LABELS = "test-labels.tsv";

  /**
   * Writes a dataset of {@code n} training images into {@code target}: {@code images/train/},
   * {@code images/test/} (PNG), {@link #TRAIN}, {@link #TEST} (OpenCLIP CSV, {@code
   * filepath<TAB>caption} with that header, paths relative to the file), {@link #TEST_LABELS} and
   * {@link #DESCRIPTION}. Everything is written in a hidden folder beside {@code target} and moved
   * into place at the end: a failed or interrupted run leaves no half-made dataset.
   *
   * @param overwrite replace a dataset this class wrote before (never a folder of other files)
   * @param progress called with the number of images written so far (or null)
   * @throws IllegalArgumentException when {@code target} holds something, naming it; when every
   *     combination is held out
   */
  public static Written write(
      Path target,
      int n,
      long seed,
      Set<Combination> heldOut,
      boolean overwrite,
      LongConsumer progress)
      throws IOException {
    return write(target, n, seed, heldOut, DEFAULT_STYLE, overwrite, progress);
  }

  /**
   * As {@link #write(Path, int, long, Set, boolean, LongConsumer)}, drawn in {@code style}.
   */
  public static Written write(
      Path target,
      int n,
      long seed,
      Set<Combination> heldOut,
      Style style,
      boolean overwrite,
      LongConsumer progress)
      throws IOException {
    if (n < 1) {
      throw new IllegalArgumentException("--n must be >= 1 training image, got " + n);
    }
    List<Combination> seen = new ArrayList<>(Combination.all());
    seen.removeAll(heldOut);
    if (seen.isEmpty()) {
      throw new IllegalArgumentException("--holdout: every combination is held out; nothing to train on");
    }
    Path abs = target.toAbsolutePath().normalize();
    boolean replace = false;
    if (Files.isRegularFile(abs)) {
      throw new IllegalArgumentException("--output " + target + " is a file; a dataset is a folder");
    }
    if (Files.isDirectory(abs)) {
      try (Stream<Path> s = Files.list(abs)) {
        if (s.findAny().isPresent()) {
          if (!Files.isRegularFile(abs.resolve(DESCRIPTION))) {
            throw new IllegalArgumentException(
                "--output "
                    + target
                    + " is not empty and holds no "
                    + DESCRIPTION
                    + " of t4j clip synth; give a new or empty folder");
          }
          if (!overwrite) {
            throw new IllegalArgumentException(
                "--output "
                    + target
                    + " already holds a synthetic dataset; add --overwrite to replace it");
          }
          replace = true;
        }
      }
    }
    Path parent = abs.getParent();
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, "." + abs.getFileName() + ".staging-");
    try {
      Files.createDirectories(staging.resolve("images/train"));
      Files.createDirectories(staging.resolve("images/test"));
      long[] done = {0};
      StringBuilder train = new StringBuilder("filepath\tcaption\n");
      for (int i = 0; i < n; i++) {
        Rng rng = Rng.derive(seed, 0, i);
        String rel = String.format(Locale.ROOT, "images/train/%06d.png", i);
        Drawn d;
        // (No draw for the share when it is 0: such datasets stay as they were before it existed.)
        if (style.unnamedColors() > 0 && rng.nextDouble() < style.unnamedColors()) {
          d = drawUnnamed(Shape.values()[rng.nextInt(Shape.values().length)], rng, style);
        } else {
          d = draw(seen.get(rng.nextInt(seen.size())), rng, style);
        }
        png(staging.resolve(rel), d.image());
        train.append(rel).append('\t').append(d.caption()).append('\n');
        tick(progress, ++done[0]);
      }
      StringBuilder test = new StringBuilder("filepath\tcaption\n");
      StringBuilder labels = new StringBuilder("filepath\tlabel\tcombination\n");
      int per = testPerClass(n);
      int i = 0;
      for (Combination what : Combination.all()) {
        for (int k = 0; k < per; k++, i++) {
          Rng rng = Rng.derive(seed, 1, i);
          String rel = String.format(Locale.ROOT, "images/test/%06d.png", i);
          Drawn d = draw(what, rng, style);
          png(staging.resolve(rel), d.image());
          test.append(rel).append('\t').append(d.caption()).append('\n');
          labels
              .append(rel)
              .append('\t')
              .append(what.label())
              .append('\t')
              .append(heldOut.contains(what) ? "held-out" : "seen")
              .append('\n');
          tick(progress, ++done[0]);
        }
      }
      text(staging.resolve(TRAIN), train);
      text(staging.resolve(TEST), test);
      text(staging.resolve(TEST_LABELS), labels);
      Map<String, Object> desc = new LinkedHashMap<>();
      desc.put("generator", "t4j clip synth");
      desc.put("seed", seed);
      desc.put("side", SIDE);
      desc.put("train", n);
      desc.put("test", i);
      desc.put("test_per_class", per);
      List<String> held = new ArrayList<>();
      for (Combination c : Combination.all()) {
        if (heldOut.contains(c)) {
          held.add(c.label());
        }
      }
      desc.put("held_out", held);
      desc.put("palette_backgrounds", style.paletteBackgrounds());
      desc.put("outline", style.outline());
      desc.put("unnamed_colors", style.unnamedColors());
      desc.put("unnamed_color_distance", UNNAMED_DISTANCE);
      desc.put("templates", TEMPLATES);
      desc.put("unnamed_color_templates", SHAPE_TEMPLATES);
      text(
          staging.resolve(DESCRIPTION),
          new StringBuilder(new GsonBuilder().setPrettyPrinting().create().toJson(desc)));
      if (replace) {
        Path old = Files.createTempDirectory(parent, "." + abs.getFileName() + ".old-");
        Files.delete(old);
        Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(staging, abs, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
      } else {
        if (Files.isDirectory(abs)) {
          Files.delete(abs); // empty, checked above
        }
        Files.move(staging, abs, StandardCopyOption.ATOMIC_MOVE);
      }
      AtomicFiles.syncDirectory(parent);
      return new Written(target, n, i, new LinkedHashSet<>(heldOut));
    } finally {
      if (Files.exists(staging)) {
        deleteTree(staging);
      }
    }
  }

  private static void tick(LongConsumer progress, long done) {
    if (progress != null) {
      progress.accept(done);
    }
  }

  private static void png(Path file, BufferedImage img) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 << 10);
    if (!ImageIO.write(img, "png", bytes)) {
      throw new IOException("no PNG writer in this Java runtime (javax.imageio)");
    }
    Files.write(file, bytes.toByteArray());
  }

  private static void text(Path file, CharSequence s) throws IOException {
    Files.writeString(file, s, StandardCharsets.UTF_8);
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
