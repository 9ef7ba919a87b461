package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Ops;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, must-have 7: two identical runs of each recipe (clm, mlm, seq2seq; clip in
 * multimodal-clip's {@code ClipRecipeTest}) write byte-identical folders: checkpoint, exported
 * weights, configs, tokenizer, metrics (whose rows hold no timing field) and the loss plot. The
 * order of every written map is the insertion order (pinned by {@code CheckpointSafetyTest}), and
 * {@code CrashSafetyTest} (apps) compares two clm runs in separate JVMs.
 */
class RecipeReproducibilityTest {
  final Ops ops = TestOps.reference();

  static final String TEXT = "to be or not to be, that is the question.\n".repeat(20);

  /** Every file under {@code a} equals the same file under {@code b}, and no file is missing. */
  static void assertSameFiles(Path a, Path b) throws Exception {
    List<String> names = files(a);
    assertEquals(names, files(b));
    assertTrue(names.contains("checkpoint/model.safetensors"), names.toString());
    for (String n : names) {
      assertArrayEquals(Files.readAllBytes(a.resolve(n)), Files.readAllBytes(b.resolve(n)), n);
    }
  }

  static List<String> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .filter(n -> !n.equals(OutputFolder.LOCK))
          .sorted()
          .toList();
    }
  }

  @Test
  void clmRunsWriteIdenticalFolders(@TempDir Path tmp) throws Exception {
    for (String name : List.of("a", "b")) {
      try (OutputFolder f = OutputFolder.open(tmp.resolve(name), CharLm.TASK, OutputFolder.Mode.NEW)) {
        CharLm.train(ops, TEXT, ResumeGuardTest.clm(16, 4), f, false, null);
      }
    }
    assertSameFiles(tmp.resolve("a"), tmp.resolve("b"));
  }

  @Test
  void mlmRunsWriteIdenticalFolders(@TempDir Path tmp) throws Exception {
    BertRecipe.Settings s =
        new BertRecipe.Settings(16, 1, 2, 32, 0.1f, 16, 4, 4, 1e-3, 1, 0.01, 1.0, 2, 1, 0.2, 3);
    for (String name : List.of("a", "b")) {
      try (OutputFolder f = OutputFolder.open(tmp.resolve(name), "mlm", OutputFolder.Mode.NEW)) {
        BertRecipe.trainMlm(ops, TEXT, null, s, f, false, null);
      }
    }
    assertSameFiles(tmp.resolve("a"), tmp.resolve("b"));
  }

  @Test
  void seq2seqRunsWriteIdenticalFolders(@TempDir Path tmp) throws Exception {
    Seq2SeqRecipe.Settings s =
        new Seq2SeqRecipe.Settings(
            16, 2, 32, 2, 0.1f, "sinusoidal", true, 8, 4, 1e-3, 1, 0.1f, 0.01, 1.0, 2, 0.2, 5);
    for (String name : List.of("a", "b")) {
      try (OutputFolder f =
          OutputFolder.open(tmp.resolve(name), Seq2SeqRecipe.TASK, OutputFolder.Mode.NEW)) {
        Seq2SeqRecipe.train(ops, Seq2SeqRecipeTest.reversals(20), null, s, f, false, null);
      }
    }
    assertSameFiles(tmp.resolve("a"), tmp.resolve("b"));
  }
}
