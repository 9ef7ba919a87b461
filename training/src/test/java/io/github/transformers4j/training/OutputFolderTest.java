package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.training.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output-folder protocol on its own: staging, commit, refusals, and the saved schedule. */
class OutputFolderTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** A folder that looks like a finished `t4j train <task>` run. */
  static Path fakeModel(Path out, String task) throws IOException {
    Files.createDirectories(out.resolve("checkpoint"));
    Files.writeString(out.resolve("checkpoint/trainer_state.json"), "{}");
    Files.writeString(out.resolve("config.json"), "{\"model_type\":\"x\"}");
    Files.writeString(out.resolve("recipe.json"), "{\"task\":\"" + task + "\"}");
    return out;
  }

  @Test
  void aNewRunStagesBesideTheTargetAndAppearsOnlyAtCommit() throws IOException {
    Path target = dir.resolve("model");
    try (OutputFolder f = OutputFolder.open(target, "clm", OutputFolder.Mode.NEW)) {
      assertFalse(f.dir().equals(target.toAbsolutePath()));
      assertEquals(dir.toAbsolutePath(), f.dir().getParent());
      assertTrue(f.dir().getFileName().toString().startsWith(".model.staging-"));
      Files.writeString(f.dir().resolve("config.json"), "{}");
      assertFalse(Files.exists(target), "the target appears only at the first checkpoint");
      f.commit();
      assertEquals(target.toAbsolutePath(), f.dir());
    }
    assertEquals(List.of("model"), names());
    assertTrue(Files.exists(target.resolve("config.json")));
  }

  @Test
  void aFailedStartLeavesNothingBehind() throws IOException {
    try (OutputFolder f = OutputFolder.open(dir.resolve("model"), "clm", OutputFolder.Mode.NEW)) {
      Files.writeString(f.dir().resolve("config.json"), "{}");
      // no commit: the run failed before its first checkpoint
    }
    assertEquals(List.of(), names());
  }

  /** Issue 12, defect 4: staging folders of runs killed before their first checkpoint go. */
  @Test
  void aNewRunDeletesTheStagingFoldersOfKilledRunsOnly() throws IOException {
    Path killed = Files.createDirectories(dir.resolve(".model.staging-killed"));
    Files.writeString(killed.resolve(OutputFolder.LOCK), "");
    Files.writeString(killed.resolve("config.json"), "{}");
    Path staged = Files.createDirectories(dir.resolve(".model.staging-staged"));
    Files.writeString(staged.resolve(OutputFolder.LOCK), "");
    Path ckpt = Files.createDirectories(staged.resolve("checkpoint"));
    for (String f : List.of("model.safetensors", "optimizer.safetensors", "trainer_state.json")) {
      Files.writeString(ckpt.resolve(f), "x");
    }
    try (OutputFolder running = OutputFolder.open(dir.resolve("model"), "clm", OutputFolder.Mode.NEW);
        OutputFolder other = OutputFolder.open(dir.resolve("model"), "clm", OutputFolder.Mode.NEW)) {
      assertFalse(Files.exists(killed), "the killed run's staging folder is still there");
      assertTrue(Files.isDirectory(staged), "a staged folder with a checkpoint was deleted");
      // The first run's staging folder is locked by it: the second open kept it.
      assertTrue(Files.isDirectory(running.dir()));
      assertTrue(Files.isDirectory(other.dir()));
    }
  }

  @Test
  void aRunWhoseMoveIntoPlaceFailsKeepsItsStagedCheckpoint() throws IOException {
    Path target = dir.resolve("model");
    Path staged;
    try (OutputFolder f = OutputFolder.open(target, "clm", OutputFolder.Mode.NEW)) {
      staged = f.dir();
      Files.writeString(staged.resolve("config.json"), "{}");
      // Someone else fills the target while this run trains: never replaced by a new run.
      Files.createDirectories(target);
      Files.writeString(target.resolve("theirs.txt"), "theirs");
      var e = assertThrows(IOException.class, f::commit);
      assertTrue(e.getMessage().contains(staged.toString()), e.getMessage());
    }
    assertTrue(Files.exists(staged.resolve("config.json")), "the staged run is kept");
    assertEquals("theirs", Files.readString(target.resolve("theirs.txt")));
  }

  @Test
  void overwriteKeepsTheOldModelUntilCommitThenReplacesIt() throws IOException {
    Path target = fakeModel(dir.resolve("m"), "seq2seq");
    try (OutputFolder f = OutputFolder.open(target, "clm", OutputFolder.Mode.OVERWRITE)) {
      Files.writeString(f.dir().resolve("new.txt"), "new");
    }
    assertTrue(Files.exists(target.resolve("recipe.json")), "a failed overwrite keeps the old");
    assertEquals(List.of("m"), names());
    try (OutputFolder f = OutputFolder.open(target, "clm", OutputFolder.Mode.OVERWRITE)) {
      Files.writeString(f.dir().resolve("new.txt"), "new");
      assertTrue(Files.exists(target.resolve("recipe.json")));
      f.commit();
    }
    assertEquals(List.of("m"), names());
    assertFalse(Files.exists(target.resolve("recipe.json")));
    assertTrue(Files.exists(target.resolve("new.txt")));
  }

  @Test
  void existingFoldersAreRefusedNamingWhatTheyHold() throws IOException {
    Path s2s = fakeModel(dir.resolve("s2s"), "seq2seq");
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFolder.open(s2s, "clm", OutputFolder.Mode.NEW));
    assertTrue(
        e.getMessage().contains("encoder-decoder model of 't4j train seq2seq'"), e.getMessage());
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFolder.open(s2s, "clm", OutputFolder.Mode.RESUME));
    assertTrue(e.getMessage().contains("seq2seq"), e.getMessage());
    Path hf = Files.createDirectories(dir.resolve("hf"));
    Files.writeString(hf.resolve("config.json"), "{\"model_type\":\"gpt2\"}");
    Files.writeString(hf.resolve("model.safetensors"), "");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFolder.open(hf, "mlm", OutputFolder.Mode.RESUME));
    assertTrue(e.getMessage().contains("Hugging Face model (model_type gpt2)"), e.getMessage());
    // Files that are no model are never replaced, not even with --overwrite.
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(docs.resolve("thesis.tex"), "x");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFolder.open(docs, "clm", OutputFolder.Mode.OVERWRITE));
    assertTrue(e.getMessage().contains("thesis.tex"), e.getMessage());
    assertTrue(Files.exists(docs.resolve("thesis.tex")));
    // Resuming needs a checkpoint.
    Path half = Files.createDirectories(dir.resolve("half"));
    Files.writeString(half.resolve("config.json"), "{}");
    Files.writeString(half.resolve("recipe.json"), "{\"task\":\"clm\"}");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFolder.open(half, "clm", OutputFolder.Mode.RESUME));
    assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFolder.open(dir.resolve("absent"), "clm", OutputFolder.Mode.RESUME));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OutputFolder.mode(true, true));
    assertEquals(List.of("docs", "half", "hf", "s2s"), names());
  }

  @Test
  void resumingChecksTheModelDefiningValuesNamingTheOption() throws IOException {
    Path m = fakeModel(dir.resolve("m"), "clm");
    Files.writeString(m.resolve("config.json"), "{\"n_embd\": 128, \"n_layer\": 4}");
    try (OutputFolder f = OutputFolder.open(m, "clm", OutputFolder.Mode.RESUME)) {
      assertEquals(m.toAbsolutePath(), f.dir());
      f.requireSameConfig(
          java.util.Map.of("n_embd", 128, "n_layer", 4),
          java.util.Map.of("n_embd", "--width", "n_layer", "--layers"));
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  f.requireSameConfig(
                      java.util.Map.of("n_embd", 64, "n_layer", 4),
                      java.util.Map.of("n_embd", "--width", "n_layer", "--layers")));
      assertTrue(e.getMessage().contains("--width is 64"), e.getMessage());
      assertTrue(e.getMessage().contains("trained with 128"), e.getMessage());
    }
    assertTrue(Files.exists(m.resolve("config.json")), "resuming never deletes the folder");
  }

  @Test
  void aShortRunsWarmupIsCappedSoItStillDecays() {
    assertEquals(100, LrSchedule.cappedWarmup(100, 2000));
    assertEquals(1, LrSchedule.cappedWarmup(100, 15));
    assertEquals(0, LrSchedule.cappedWarmup(100, 5));
    LrSchedule.Cosine c = LrSchedule.cosine(1e-3, 1e-4, LrSchedule.cappedWarmup(100, 20), 20);
    assertTrue(c.at(19) < 0.2 * c.at(2), "decays: " + c.at(2) + " -> " + c.at(19));
    assertEquals(c, LrSchedule.Cosine.parse(c.encode()));
  }
}
