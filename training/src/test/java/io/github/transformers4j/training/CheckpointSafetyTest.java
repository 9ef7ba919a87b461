package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.Example;
import io.github.transformers4j.training.data.ExampleBatches;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 (training side): reproducible files, refused bad resumes, the crash windows of saves. */
class CheckpointSafetyTest {
  final Ops ops = TestOps.reference();
  @TempDir Path dir;

  static final int V = 12;

  TrainerConfig config(long steps, Path out) {
    return new TrainerConfig(
        steps, 2, 1.0, LrSchedule.cosine(0.05, 0.005, 2, steps), 3, 2, 0, out, 11, 0);
  }

  Trainer.Result train(Path out, long steps, long stopAt, boolean resume) {
    TrainerConfig cfg = config(steps, out);
    if (stopAt > 0) {
      cfg = cfg.withStopAt(stopAt);
    }
    return new Trainer(
            ops,
            new TinyLm(ops, V, 8, V, 0.2f, 1),
            new CausalLm(false),
            new AdamW(0.9, 0.99, 1e-8, 0.1, true),
            cfg,
            null)
        .run(
            new BlockSampler(TrainerTest.corpus(), 3, 6, 21),
            () -> new BlockSampler(TrainerTest.corpus(), 3, 6, 99),
            resume);
  }

  @Test
  void identicalRunsWriteByteIdenticalCheckpointsAndMetrics() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    train(a, 6, 0, false);
    train(b, 6, 0, false);
    for (String f :
        List.of("model.safetensors", "optimizer.safetensors", "trainer_state.json")) {
      assertArrayEquals(
          Files.readAllBytes(a.resolve("checkpoint").resolve(f)),
          Files.readAllBytes(b.resolve("checkpoint").resolve(f)),
          f);
    }
    // The rows hold no timing field, so the whole files must match.
    assertEquals(
        Files.readString(a.resolve("metrics.jsonl")), Files.readString(b.resolve("metrics.jsonl")));
    // Map.of orders its keys by a per-JVM random salt, so two runs in one JVM agree even with it:
    // the order must also be the written one, which holds in every JVM.
    String header =
        new String(
            Files.readAllBytes(a.resolve("checkpoint").resolve("model.safetensors")),
            8,
            80,
            StandardCharsets.ISO_8859_1);
    assertTrue(
        header.startsWith("{\"__metadata__\":{\"step\":\"6\",\"format\":\"t4j-ckpt-1\"}"), header);
    for (String line : Files.readAllLines(a.resolve("metrics.jsonl"))) {
      if (line.contains("val_loss")) {
        assertTrue(line.startsWith("{\"step\":"), line);
      }
    }
    // The seq2seq and BERT data position goes into trainer_state.json in a fixed order too.
    ExampleBatches ex =
        new ExampleBatches(
            List.of(new Example(new int[] {1}, new int[] {2})), 1, 0, -100, 7, true);
    assertEquals(List.of("epoch", "index"), List.copyOf(ex.state().keySet()));
  }

  private static String messageOf(Runnable r) {
    RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, r::run);
    return e.getMessage();
  }

  @Test
  void resumeWithoutAUsableCheckpointFailsNamingThePathAndChangesNothing() throws Exception {
    Path run = dir.resolve("run");
    train(run, 6, 3, false);
    Path ck = run.resolve("checkpoint");
    Path state = ck.resolve("trainer_state.json");
    byte[] metrics = Files.readAllBytes(run.resolve("metrics.jsonl"));
    byte[] saved = Files.readAllBytes(state);

    Files.delete(state);
    String m = messageOf(() -> train(run, 6, 0, true));
    assertTrue(m.contains(state.toString()) && m.contains("missing"), m);
    assertArrayEquals(metrics, Files.readAllBytes(run.resolve("metrics.jsonl")));

    Files.createDirectory(state);
    m = messageOf(() -> train(run, 6, 0, true));
    assertTrue(m.contains(state.toString()) && m.contains("is a folder"), m);
    Files.delete(state);
    Files.write(state, saved);

    Path moved = dir.resolve("moved");
    Files.move(ck, moved);
    Files.writeString(ck, "not a folder");
    m = messageOf(() -> train(run, 6, 0, true));
    assertTrue(m.contains(ck.toString()) && m.contains("is a file"), m);
    assertEquals("not a folder", Files.readString(ck));
    assertArrayEquals(metrics, Files.readAllBytes(run.resolve("metrics.jsonl")));
    Files.delete(ck);
    Files.move(moved, ck);

    // The untouched checkpoint still resumes.
    assertEquals(6, train(run, 6, 0, true).step());
  }

  @Test
  void aDamagedOptimizerStateIsRefusedNotResumedInexactly() throws Exception {
    Path run = dir.resolve("run");
    train(run, 6, 3, false);
    Path ck = run.resolve("checkpoint");
    Path state = ck.resolve("trainer_state.json");
    String json = Files.readString(state);
    assertTrue(json.contains("\"optimizerSteps\": 3"), json);
    for (String bad : List.of("0", "-2")) {
      Files.writeString(state, json.replace("\"optimizerSteps\": 3", "\"optimizerSteps\": " + bad));
      String m = messageOf(() -> train(run, 6, 0, true));
      assertTrue(m.contains("optimizerSteps is " + bad) && m.contains(state.toString()), m);
    }
    Files.writeString(state, json);

    // Drop one parameter's two moments: the rest would resume, inexactly.
    Path opt = ck.resolve("optimizer.safetensors");
    var c = io.github.transformers4j.training.checkpoint.TensorFile.read(opt);
    var kept = new java.util.LinkedHashMap<>(c.tensors());
    String victim = kept.keySet().iterator().next().substring("exp_avg.".length());
    kept.remove("exp_avg." + victim);
    kept.remove("exp_avg_sq." + victim);
    io.github.transformers4j.training.checkpoint.TensorFile.write(opt, kept, c.metadata());
    String m = messageOf(() -> train(run, 6, 0, true));
    assertTrue(m.contains(opt.toString()) && m.contains("moment tensors"), m);
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  private static void clear(Path run) throws java.io.IOException {
    try (var s = Files.list(run)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith("checkpoint") || n.startsWith(".checkpoint")) {
          OutputFolder.deleteTree(p);
        }
      }
    }
  }

  /**
   * Each crash window of the swap at step 6 (from the checkpoint of step 3), left as a crash at
   * that rename would leave the folders (and the one the old protocol left after a second crash):
   * the resume starts from the newest complete checkpoint, ends bit-identical to a run never
   * stopped, and leaves no stale hidden folder.
   */
  @Test
  void resumeRecoversFromEveryCrashWindowOfTheCheckpointSwap() throws Exception {
    Path ref = dir.resolve("ref");
    train(ref, 9, 0, false);
    byte[] refModel = Files.readAllBytes(ref.resolve("checkpoint").resolve("model.safetensors"));
    String refMetrics = Files.readString(ref.resolve("metrics.jsonl"));

    Path run = dir.resolve("run");
    train(run, 9, 3, false);
    Path ck3 = dir.resolve("ck3");
    copyTree(run.resolve("checkpoint"), ck3);
    train(run, 9, 6, true);
    Path ck6 = dir.resolve("ck6");
    copyTree(run.resolve("checkpoint"), ck6);
    String metrics6 = Files.readString(run.resolve("metrics.jsonl"));
    Path partial = dir.resolve("partial"); // a save killed while writing its files
    Files.createDirectory(partial);
    Files.copy(ck6.resolve("model.safetensors"), partial.resolve("model.safetensors"));

    record Window(String name, Map<String, Path> folders, long resumesAt) {}
    List<Window> windows =
        List.of(
            new Window("before any rename", Map.of("checkpoint", ck3, ".checkpoint.17", ck6), 6),
            new Window(
                "after checkpoint -> checkpoint.old",
                Map.of("checkpoint.old", ck3, ".checkpoint.17", ck6),
                6),
            new Window(
                "after the new one moved in", Map.of("checkpoint", ck6, "checkpoint.old", ck3), 6),
            new Window(
                "a second crash after the old protocol deleted checkpoint.old",
                Map.of(".checkpoint.17", ck6, ".checkpoint.23", partial),
                6),
            new Window(
                "killed while writing the new one",
                Map.of("checkpoint.old", ck3, ".checkpoint.23", partial),
                3));
    for (Window w : windows) {
      clear(run);
      for (Map.Entry<String, Path> e : w.folders().entrySet()) {
        copyTree(e.getValue(), run.resolve(e.getKey()));
      }
      Files.writeString(run.resolve("metrics.jsonl"), metrics6);
      // What OutputFolder.inspect asks before it lets --resume in.
      assertTrue(
          io.github.transformers4j.training.checkpoint.Checkpoint.exists(run.resolve("checkpoint")),
          w.name());
      Trainer.Result r = train(run, 9, 0, true);
      assertEquals(9 - w.resumesAt(), r.losses().size(), w.name() + ": steps trained on resume");
      assertArrayEquals(
          refModel,
          Files.readAllBytes(run.resolve("checkpoint").resolve("model.safetensors")),
          w.name());
      assertEquals(refMetrics, Files.readString(run.resolve("metrics.jsonl")), w.name());
      try (var s = Files.list(run)) {
        List<String> left =
            s.map(p -> p.getFileName().toString()).filter(n -> n.contains("checkpoint")).toList();
        assertEquals(List.of("checkpoint"), left, w.name() + ": folders left");
      }
    }
  }

  @Test
  void aTornLastMetricsLineIsDroppedAndAMalformedEarlierOneNamed() throws Exception {
    Path run = dir.resolve("run");
    train(run, 6, 3, false);
    Path metrics = run.resolve("metrics.jsonl");
    String whole = Files.readString(metrics);
    Files.writeString(metrics, whole + "{\"step\":4,\"lo");
    assertEquals(6, train(run, 6, 0, true).step());
    String after = Files.readString(metrics);
    assertTrue(after.startsWith(whole) && !after.contains("\"lo\n"), after);
    assertEquals(List.of(), after.lines().filter(l -> !l.startsWith("{\"step\":")).toList());

    Files.writeString(metrics, "{\"step\":1,\"loss\":2.5}\nnot json\n" + whole);
    String m = messageOf(() -> train(run, 6, 0, true));
    assertTrue(m.contains(metrics.toString()) && m.contains("line 2"), m);
  }

  @Test
  void aSecondRunOnAFolderBeingWrittenFailsNamingTheLock() throws Exception {
    Path run = dir.resolve("run");
    train(run, 6, 3, false);
    OutputFolder.writeRecipe(run, "clm", "tokenizer.json", Map.of());
    try (OutputFolder first = OutputFolder.open(run, "clm", OutputFolder.Mode.RESUME)) {
      String m =
          messageOf(
              () -> {
                try {
                  OutputFolder.open(run, "clm", OutputFolder.Mode.RESUME).close();
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      assertTrue(m.contains(run.resolve(".t4j.lock").toString()), m);
      assertTrue(first.resuming());
    }
    // Released at close: the folder can be continued again, and the lock file is no content.
    OutputFolder.open(run, "clm", OutputFolder.Mode.RESUME).close();
    assertEquals("clm", OutputFolder.inspect(run).kind());
  }
}
