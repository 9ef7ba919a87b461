package io.github.transformers4j.clip.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.clip.ClipModel;
import io.github.transformers4j.clip.data.SyntheticShapes;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.data.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLIP recipe on a tiny synthetic dataset: a run stopped and resumed computes the same losses
 * and weights as one never stopped; the folder is a CLIP folder {@link ClipModel#load} reads;
 * bad data fails naming the row.
 */
class ClipRecipeTest {
  @TempDir static Path data;
  @TempDir Path tmp;

  /** Words to ids 2..63 by hash, start 0, end 1 (a deterministic stand-in for CLIP's BPE). */
  static final class Words implements TextTokenizer {
    @Override
    public int[] encode(String text) {
      String[] w = text.split(" ");
      int[] ids = new int[w.length];
      for (int i = 0; i < w.length; i++) {
        ids[i] = 2 + Math.floorMod(w[i].hashCode(), 62);
      }
      return ids;
    }

    @Override
    public String decode(int[] ids) {
      return "";
    }

    @Override
    public int vocabSize() {
      return 64;
    }

    @Override
    public SpecialTokens specials() {
      return new SpecialTokens(1, 0, 1, -1, -1);
    }
  }

  @BeforeAll
  static void synth() throws Exception {
    SyntheticShapes.write(
        data.resolve("s"), 40, 3, Set.of(SyntheticShapes.Combination.parse("green triangle")), false, null);
  }

  static Ops ops() {
    return new Ops(Backends.installed().create("cpu", BackendOptions.none().with("threads", "1")));
  }

  static ClipRecipe.Settings tiny(long stopAt) {
    return new ClipRecipe.Settings(16, 8, 16, 1, 2, 8, 8, 6, 3e-3, 1, 0.1, 1.0, 2, 7, stopAt);
  }

  static ClipRecipe.Run train(Path out, boolean resume, long stopAt) throws Exception {
    try (OutputFolder f =
        OutputFolder.open(
            out, ClipRecipe.TASK, resume ? OutputFolder.Mode.RESUME : OutputFolder.Mode.NEW)) {
      return ClipRecipe.train(
          ops(), data.resolve("s"), new Words(), 16, dir -> {}, tiny(stopAt), f, false, null);
    }
  }

  static List<String> losses(Path out) throws Exception {
    List<String> l = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
      if (line.contains("\"loss\"")) {
        l.add(line.replaceAll(".*\"loss\":([^,]*),.*", "$1"));
      }
    }
    return l;
  }

  /** Issue 12, must-have 7: two identical runs write byte-identical folders. */
  @Test
  void identicalRunsWriteByteIdenticalFolders() throws Exception {
    train(tmp.resolve("a"), false, 0);
    train(tmp.resolve("b"), false, 0);
    List<String> names = files(tmp.resolve("a"));
    assertEquals(names, files(tmp.resolve("b")));
    assertTrue(names.contains("checkpoint/optimizer.safetensors"), names.toString());
    for (String n : names) {
      assertArrayEquals(
          Files.readAllBytes(tmp.resolve("a").resolve(n)),
          Files.readAllBytes(tmp.resolve("b").resolve(n)),
          n);
    }
  }

  static List<String> files(Path dir) throws Exception {
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .filter(n -> !n.equals(OutputFolder.LOCK))
          .sorted()
          .toList();
    }
  }

  @Test
  void aStoppedAndResumedRunEqualsOneNeverStopped() throws Exception {
    Path straight = tmp.resolve("straight");
    ClipRecipe.Run a = train(straight, false, 0);
    assertEquals(6, a.result().step());
    assertEquals(40, a.trainRows());
    assertEquals(18 * 5, a.valRows());
    Path stopped = tmp.resolve("stopped");
    ClipRecipe.Run b = train(stopped, false, 3);
    assertTrue(b.result().interrupted());
    assertEquals(3, b.result().step());
    ClipRecipe.Run c = train(stopped, true, 0);
    assertEquals(6, c.result().step());
    assertEquals(losses(straight), losses(stopped));
    // The exported weights, bit for bit.
    try (SafeTensors x = SafeTensors.open(straight.resolve("model.safetensors"));
        SafeTensors y = SafeTensors.open(stopped.resolve("model.safetensors"))) {
      assertEquals(x.names(), y.names());
      for (String n : x.names()) {
        assertArrayEquals(x.floats(n), y.floats(n), n);
      }
    }
    // A CLIP folder: config.json, HF names, the processor's file.
    ClipModel m = ClipModel.load(ops(), straight);
    assertEquals(16, m.config().vision().imageSize());
    assertTrue(Files.isRegularFile(straight.resolve("preprocessor_config.json")));
    assertTrue(Files.isRegularFile(straight.resolve("loss.png")));
  }

  @Test
  void resumingWithAnotherModelOptionNamesIt() throws Exception {
    Path out = tmp.resolve("r");
    train(out, false, 2);
    try (OutputFolder f = OutputFolder.open(out, ClipRecipe.TASK, OutputFolder.Mode.RESUME)) {
      ClipRecipe.Settings other = new ClipRecipe.Settings(16, 8, 32, 1, 2, 8, 8, 6, 3e-3, 1, 0.1, 1.0, 2, 7, 0);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ClipRecipe.train(ops(), data.resolve("s"), new Words(), 16, d -> {}, other, f, false, null));
      assertTrue(e.getMessage().contains("--width is 32"), e.getMessage());
    }
  }

  @Test
  void aMissingImageNamesItsRow() throws Exception {
    Path bad = Files.createDirectories(tmp.resolve("bad"));
    List<String> lines = new ArrayList<>(Files.readAllLines(data.resolve("s/train.csv")));
    StringBuilder sb = new StringBuilder("filepath\tcaption\n");
    for (String l : lines.subList(1, 12)) {
      sb.append(data.resolve("s").resolve(l.split("\t")[0])).append('\t').append(l.split("\t")[1]).append('\n');
    }
    sb.append("nowhere.png\ta red circle\n");
    Files.writeString(bad.resolve("train.csv"), sb.toString());
    try (OutputFolder f = OutputFolder.open(tmp.resolve("o"), ClipRecipe.TASK, OutputFolder.Mode.NEW)) {
      ClipRecipe.Settings s = new ClipRecipe.Settings(16, 8, 16, 1, 2, 8, 12, 2, 3e-3, 1, 0.1, 1.0, 2, 7, 0);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ClipRecipe.train(ops(), bad, new Words(), 16, d -> {}, s, f, false, null));
      assertTrue(e.getMessage().startsWith("train.csv:13: image ") && e.getMessage().contains("nowhere.png"),
          e.getMessage());
    }
    assertTrue(!Files.exists(tmp.resolve("o")), "nothing is left of a run that failed");
  }
}
