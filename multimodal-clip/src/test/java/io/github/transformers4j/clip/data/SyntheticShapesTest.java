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
      SyntheticShapes.Drawn d = SyntheticShapes.draw(what, Rng.derive(3, i));
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
      // The same draw without the outline has fewer gray pixels (only fill or background noise
      // that strays near gray).
      SyntheticShapes.Drawn plain =
          SyntheticShapes.draw(what, Rng.derive(3, i), new SyntheticShapes.Style(0, false));
      int plainGray = 0;
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          plainGray += distance(plain.image().getRGB(x, y), new int[] {128, 128, 128}) < 40 ? 1 : 0;
        }
      }
      assertTrue(plainGray + 30 <= gray, what.label() + ": " + plainGray + " vs " + gray);
    }
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
