package io.github.transformers4j.clip.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.clip.data.SyntheticShapes.Color;
import io.github.transformers4j.clip.data.SyntheticShapes.Combination;
import io.github.transformers4j.clip.data.SyntheticShapes.Shape;
import io.github.transformers4j.training.data.Rng;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticShapesTest {
  @TempDir Path tmp;

  private static final Set<Combination> HELD =
      Set.of(Combination.parse("green triangle"), Combination.parse("White  Circle"));

  @Test
  void sameSeedWritesIdenticalFilesAndHeldOutCombinationsOnlyInTest() throws Exception {
    SyntheticShapes.Written a = SyntheticShapes.write(tmp.resolve("a"), 60, 7, HELD, false, null);
    SyntheticShapes.write(tmp.resolve("b"), 60, 7, HELD, false, null);
    SyntheticShapes.write(tmp.resolve("c"), 60, 8, HELD, false, null);
    assertEquals(60, a.train());
    assertEquals(18 * 5, a.test());
    List<Path> files;
    try (Stream<Path> s = Files.walk(tmp.resolve("a"))) {
      files = s.filter(Files::isRegularFile).map(tmp.resolve("a")::relativize).sorted().toList();
    }
    assertEquals(60 + 90 + 4, files.size(), files.toString());
    for (Path f : files) {
      assertEquals(
          -1L, Files.mismatch(tmp.resolve("a").resolve(f), tmp.resolve("b").resolve(f)), f + "");
    }
    assertTrue(
        Files.mismatch(tmp.resolve("a/images/train/000000.png"), tmp.resolve("c/images/train/000000.png"))
            != -1L,
        "another seed draws other images");
    List<String> train = Files.readAllLines(tmp.resolve("a/train.csv"));
    assertEquals("filepath\tcaption", train.get(0));
    for (String line : train.subList(1, train.size())) {
      String caption = line.split("\t")[1];
      assertTrue(!caption.contains("green triangle") && !caption.contains("white circle"), line);
      assertTrue(Files.isRegularFile(tmp.resolve("a").resolve(line.split("\t")[0])), line);
    }
    List<String> labels = Files.readAllLines(tmp.resolve("a/test-labels.tsv"));
    Set<String> heldSeen = new HashSet<>();
    for (String line : labels.subList(1, labels.size())) {
      String[] f = line.split("\t");
      if (f[2].equals("held-out")) {
        heldSeen.add(f[1]);
      }
    }
    assertEquals(Set.of("green triangle", "white circle"), heldSeen);
    // No leftovers of the staging folder.
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(3, s.count());
    }
  }

  @Test
  void theShapeHasItsColorAndTheBackgroundIsNoPaletteColor() {
    for (int i = 0; i < 40; i++) {
      Combination what = new Combination(Color.values()[i % 6], Shape.values()[i % 3]);
      SyntheticShapes.Drawn d =
          SyntheticShapes.draw(what, Rng.derive(3, i), new SyntheticShapes.Style(0, true));
      BufferedImage img = d.image();
      assertEquals(64, img.getWidth());
      // A caption names the color, the shape or both, and no other color or shape.
      assertTrue(
          d.caption().contains(what.color().word()) || d.caption().contains(what.shape().word()),
          d.caption());
      for (Color c : Color.values()) {
        assertTrue(c == what.color() || !d.caption().contains(c.word()), d.caption());
      }
      for (Shape s : Shape.values()) {
        assertTrue(s == what.shape() || !d.caption().contains(s.word()), d.caption());
      }
      // Count pixels within 40 of the fill and of the gray outline: a shape of side >= 16 covers
      // >= ~60 of the first (a triangle half its square, less the inner pixel of its 2-pixel
      // outline; fill noise <= 12 per channel) and its outline >= ~40 of the second (at least
      // its 48-pixel perimeter); the noisy background (>= 120 away from both, noise <= 24 per
      // channel) none.
      int near = 0;
      int gray = 0;
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          int rgb = img.getRGB(x, y);
          near += distance(rgb, d.fill()) < 40 ? 1 : 0;
          gray += distance(rgb, new int[] {128, 128, 128}) < 40 ? 1 : 0;
        }
      }
      assertTrue(near >= 60 && near <= 0.5 * 64 * 64, what.label() + ": " + near + " pixels");
      assertTrue(gray >= 40 && gray <= 0.3 * 64 * 64, what.label() + ": " + gray + " outline pixels");
      // (Without the outline nothing else comes near that gray: the background stays >= 120 from
      // it and no palette shade is within 40 + noise.) The default draws no outline, and then
      // >= ~100 pixels are near the fill.
      SyntheticShapes.Drawn plain = SyntheticShapes.draw(what, Rng.derive(3, i));
      int plainNear = 0;
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          plainNear += distance(plain.image().getRGB(x, y), plain.fill()) < 40 ? 1 : 0;
        }
      }
      assertTrue(plainNear >= 100 && plainNear <= 0.5 * 64 * 64, what.label() + ": " + plainNear);
    }
  }

  @Test
  void paletteBackgroundsAreShadesOfTheOtherColors() {
    // The default background is >= 120 from every palette color; with --palette-backgrounds 1 it
    // is a shade of one of the five other colors, so some come close to white or black (the
    // background is read as the mean of a 6x6 corner the shape does not reach).
    int nearWhiteOrBlack = 0;
    for (int i = 0; i < 60; i++) {
      Combination what = new Combination(Color.values()[i % 6], Shape.values()[i % 3]);
      for (SyntheticShapes.Style style :
          List.of(SyntheticShapes.DEFAULT_STYLE, new SyntheticShapes.Style(1, false))) {
        SyntheticShapes.Drawn d = SyntheticShapes.draw(what, Rng.derive(4, i), style);
        int[] bg = backgroundCorner(d);
        if (bg == null) {
          continue;
        }
        assertTrue(distance(bg, d.fill()) >= 120 - 20, what.label() + " on " + List.of(bg[0], bg[1], bg[2]));
        double nearest = Double.MAX_VALUE;
        for (int[] p : new int[][] {{245, 245, 245}, {15, 15, 15}}) {
          nearest = Math.min(nearest, distance(bg, p));
        }
        if (style == SyntheticShapes.DEFAULT_STYLE) {
          assertTrue(nearest >= 120 - 20, what.label() + ": default background near white/black");
        } else if (nearest < 60) {
          nearWhiteOrBlack++;
          assertTrue(what.color() != Color.WHITE || distance(bg, new int[] {245, 245, 245}) >= 60);
          assertTrue(what.color() != Color.BLACK || distance(bg, new int[] {15, 15, 15}) >= 60);
        }
      }
    }
    assertTrue(nearWhiteOrBlack >= 5, nearWhiteOrBlack + " of 60 palette backgrounds white or black");
    assertThrows(IllegalArgumentException.class, () -> new SyntheticShapes.Style(1.5, false));
  }

  @Test
  void unnamedColorsAreFarFromEveryPaletteShadeAndCaptionedByTheShapeAlone() throws Exception {
    // An oracle independent of the generator's grid: 20,000 random shades of each palette color.
    List<int[]> shades = new java.util.ArrayList<>();
    Rng r = Rng.derive(99, 0);
    for (Color c : Color.values()) {
      for (int k = 0; k < 20_000; k++) {
        shades.add(SyntheticShapes.shade(c, r));
      }
    }
    Set<Shape> drawn = new HashSet<>();
    double nearest = Double.MAX_VALUE;
    for (int i = 0; i < 60; i++) {
      Shape shape = Shape.values()[i % 3];
      SyntheticShapes.Drawn d =
          SyntheticShapes.drawUnnamed(shape, Rng.derive(5, i), SyntheticShapes.DEFAULT_STYLE);
      drawn.add(shape);
      assertTrue(d.caption().contains(shape.word()), d.caption());
      for (Color c : Color.values()) {
        assertTrue(!d.caption().contains(c.word()), d.caption());
      }
      for (int[] p : shades) {
        nearest = Math.min(nearest, distance(d.fill(), p));
      }
    }
    // The grid steps (1 degree, 0.02) leave at most a few RGB units between a shade and the grid.
    assertTrue(nearest >= SyntheticShapes.UNNAMED_DISTANCE - 5, "nearest palette shade " + nearest);
    assertEquals(3, drawn.size());
    // In a dataset: about the share of training images, none in the test split.
    SyntheticShapes.write(tmp.resolve("u"), 400, 3, HELD, false, null);
    List<String> train = Files.readAllLines(tmp.resolve("u/train.csv"));
    long shapeOnly = train.stream().skip(1).filter(l -> {
      String caption = l.split("\t")[1];
      return java.util.Arrays.stream(Color.values()).noneMatch(c -> caption.contains(c.word()));
    }).count();
    // Shape-only captions: the unnamed images (0.85 of 400, binomial: 340 ± 21) and 3 of the 11
    // templates of the others (60 · 3/11 ≈ 16 ± 8).
    assertTrue(shapeOnly >= 330 && shapeOnly <= 390, shapeOnly + " shape-only captions of 400");
    assertTrue(Files.readString(tmp.resolve("u/synth.json")).contains("\"unnamed_colors\": 0.85"));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticShapes.Style(0, false, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticShapes.Style(0, false, -0.1));
  }

  /** The mean RGB of a 6x6 corner with no pixel near the fill, or null. */
  private static int[] backgroundCorner(SyntheticShapes.Drawn d) {
    for (int[] c : new int[][] {{0, 0}, {58, 0}, {0, 58}, {58, 58}}) {
      long[] sum = new long[3];
      boolean clear = true;
      for (int y = c[1]; y < c[1] + 6; y++) {
        for (int x = c[0]; x < c[0] + 6; x++) {
          int rgb = d.image().getRGB(x, y);
          clear &= distance(rgb, d.fill()) >= 80;
          sum[0] += (rgb >> 16) & 255;
          sum[1] += (rgb >> 8) & 255;
          sum[2] += rgb & 255;
        }
      }
      if (clear) {
        return new int[] {(int) (sum[0] / 36), (int) (sum[1] / 36), (int) (sum[2] / 36)};
      }
    }
    return null;
  }

  private static double distance(int[] a, int[] b) {
    return distance(0xff000000 | a[0] << 16 | a[1] << 8 | a[2], b);
  }

  private static double distance(int rgb, int[] c) {
    double dr = ((rgb >> 16) & 255) - c[0];
    double dg = ((rgb >> 8) & 255) - c[1];
    double db = (rgb & 255) - c[2];
    return Math.sqrt(dr * dr + dg * dg + db * db);
  }

  @Test
  void refusesAFolderOfOtherFilesAndReplacesOnlyWithOverwrite() throws Exception {
    Path other = Files.createDirectories(tmp.resolve("other"));
    Files.writeString(other.resolve("notes.txt"), "mine");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SyntheticShapes.write(other, 5, 1, Set.of(), true, null));
    assertTrue(e.getMessage().contains("other") && e.getMessage().contains("synth.json"), e.getMessage());
    Path d = tmp.resolve("d");
    SyntheticShapes.write(d, 5, 1, Set.of(), false, null);
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SyntheticShapes.write(d, 5, 1, Set.of(), false, null));
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    SyntheticShapes.write(d, 6, 1, Set.of(), true, null);
    assertEquals(7, Files.readAllLines(d.resolve("train.csv")).size());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> Combination.parse("purple triangle"));
    assertTrue(e.getMessage().contains("'purple triangle'"), e.getMessage());
  }
}
