package io.github.transformers4j.clip.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.clip.data.CaptionedData.Captioned;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.IntGrid;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionedDataTest {
  @TempDir Path tmp;

  /** A (3, 4, 4) input of an image's mean color; a stand-in preprocessor for these tests. */
  static float[] meanColor(Path p) throws IOException {
    BufferedImage img = ImageIO.read(p.toFile());
    if (img == null) {
      throw new IOException(p.getFileName() + ": not an image ImageIO reads");
    }
    float[] out = new float[3 * 16];
    for (int c = 0; c < 3; c++) {
      java.util.Arrays.fill(out, c * 16, (c + 1) * 16, (img.getRGB(0, 0) >> (16 - 8 * c)) & 255);
    }
    return out;
  }

  /** Each caption as its length in a (B, 1) grid, mask all ones. */
  static IntGrid[] lengths(List<String> captions) {
    int[] ids = captions.stream().mapToInt(String::length).toArray();
    int[] mask = new int[ids.length];
    java.util.Arrays.fill(mask, 1);
    return new IntGrid[] {new IntGrid(ids.length, 1, ids), new IntGrid(ids.length, 1, mask)};
  }

  @Test
  void readsCsvWithOrWithoutHeaderAndJsonlWithPathsRelativeToTheFile() throws Exception {
    Path d = Files.createDirectories(tmp.resolve("d"));
    Files.writeString(d.resolve("a.csv"), "title\tfilepath\nred one\timg/r.png\n\nblue one\tb.png\n");
    List<Captioned> a = CaptionedData.read(d.resolve("a.csv"));
    assertEquals(2, a.size());
    assertEquals(d.resolve("img/r.png").toAbsolutePath(), a.get(0).image());
    assertEquals("red one", a.get(0).caption());
    assertEquals("a.csv:4", a.get(1).row());
    Files.writeString(d.resolve("b.tsv"), "x.png\ta caption\n");
    assertEquals("a caption", CaptionedData.read(d.resolve("b.tsv")).get(0).caption());
    Files.writeString(
        d.resolve("c.jsonl"),
        "{\"image\": \"x.png\", \"caption\": \"cap\"}\n{\"file_name\": \"y.png\", \"text\": \"t\"}\n");
    List<Captioned> c = CaptionedData.read(d.resolve("c.jsonl"));
    assertEquals(d.resolve("y.png").toAbsolutePath(), c.get(1).image());
    assertEquals(d.resolve("c.jsonl"), CaptionedData.splitFile(d.resolve("c.jsonl"), "train", "--data"));
    Files.writeString(d.resolve("train.jsonl"), "{\"image\": \"x.png\", \"caption\": \"cap\"}\n");
    assertEquals(d.resolve("train.jsonl"), CaptionedData.splitFile(d, "train", "--data"));
  }

  @Test
  void malformedRowsNameFileAndLine() throws Exception {
    Files.writeString(tmp.resolve("bad.csv"), "filepath\tcaption\na.png\tok\nno-tab-here\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CaptionedData.read(tmp.resolve("bad.csv")));
    assertTrue(e.getMessage().startsWith("bad.csv:3: expected filepath<TAB>caption"), e.getMessage());
    Files.writeString(tmp.resolve("bad.jsonl"), "{\"image\": \"a.png\"}\n");
    e = assertThrows(IllegalArgumentException.class, () -> CaptionedData.read(tmp.resolve("bad.jsonl")));
    assertTrue(e.getMessage().startsWith("bad.jsonl:1: no caption key"), e.getMessage());
    Files.writeString(tmp.resolve("bad2.jsonl"), "{\"image\": \"a.png\", \n");
    e = assertThrows(IllegalArgumentException.class, () -> CaptionedData.read(tmp.resolve("bad2.jsonl")));
    assertTrue(e.getMessage().startsWith("bad2.jsonl:1: not valid JSON"), e.getMessage());
    Files.writeString(tmp.resolve("empty.csv"), "filepath\tcaption\n");
    e = assertThrows(IllegalArgumentException.class, () -> CaptionedData.read(tmp.resolve("empty.csv")));
    assertTrue(e.getMessage().contains("empty.csv: no captioned images"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> CaptionedData.splitFile(tmp, "train", "--data"));
    assertTrue(e.getMessage().contains("has no train.csv"), e.getMessage());
  }

  @Test
  void shuffledBatchesResumeExactlyAndAMissingImageNamesItsRow() throws Exception {
    Path d = tmp.resolve("s");
    SyntheticShapes.write(d, 30, 5, Set.of(), false, null);
    List<Captioned> rows = CaptionedData.read(d.resolve("train.csv"));
    CaptionedBatches a =
        new CaptionedBatches(rows, 8, new int[] {3, 4, 4}, CaptionedDataTest::meanColor, CaptionedDataTest::lengths, 9, true, true);
    assertEquals(3, a.batchesPerEpoch());
    List<Batch> first = new ArrayList<>();
    Map<String, Long> at = null;
    for (int i = 0; i < 7; i++) {
      if (i == 4) {
        at = a.state();
      }
      first.add(a.next());
    }
    for (Batch b : first) {
      assertEquals(8, b.size(), "full batches only in training");
      assertEquals(8, b.pixels().batch());
    }
    CaptionedBatches b =
        new CaptionedBatches(rows, 8, new int[] {3, 4, 4}, CaptionedDataTest::meanColor, CaptionedDataTest::lengths, 9, true, false);
    b.restore(at);
    for (int i = 4; i < 7; i++) {
      Batch x = b.next();
      assertArrayEquals(first.get(i).inputs().data(), x.inputs().data());
      assertArrayEquals(first.get(i).pixels().data(), x.pixels().data());
    }
    // Epochs differ in order; evaluation keeps the file's order and the short tail.
    CaptionedBatches ev =
        new CaptionedBatches(rows, 8, new int[] {3, 4, 4}, CaptionedDataTest::meanColor, CaptionedDataTest::lengths, 9, false, false);
    assertEquals(4, ev.batchesPerEpoch());
    assertEquals(rows.get(0).caption().length(), ev.next().inputs().at(0, 0));

    Files.delete(d.resolve("images/train/000003.png"));
    CaptionedBatches c =
        new CaptionedBatches(rows, 30, new int[] {3, 4, 4}, CaptionedDataTest::meanColor, CaptionedDataTest::lengths, 9, false, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::next);
    assertTrue(
        e.getMessage().startsWith("train.csv:5: image ") && e.getMessage().contains("000003.png"),
        e.getMessage());
  }
}
