package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.training.OutputFolder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, must-have 4: crash safety shown with SIGKILL. {@code t4j train clm} and {@code t4j
 * tokenizer train} run in child JVMs (on the module path, as the launcher runs them) and are
 * killed with {@link Process#destroyForcibly()}, which is SIGKILL on Linux (the exit status 137
 * checks it): at seeded random moments, and at fixed points inside the writes, where a random kill
 * rarely lands: twice in a row inside a checkpoint swap, and between a safetensors file's complete
 * temporary copy and its rename. The child holds at such a point ({@code
 * io.github.transformers4j.api.io.CrashPoints}, asked for by a system property) and writes a
 * marker file; the test then kills it. After every kill a complete checkpoint must be there, and
 * every file under its final name complete; each resume goes on, and the end is bit-identical to
 * a run never stopped: checkpoint, exported weights and metrics. While a run holds its folder, a
 * second run on it fails naming the lock.
 */
class CrashSafetyTest {
  private static final String MAIN =
      "io.github.transformers4j.apps/io.github.transformers4j.apps.T4j";
  private static final long SEED = 20261206L;
  private static String modulePath;

  @TempDir Path tmp;

  @BeforeAll
  static void locate() throws IOException {
    Path listing = Path.of("target", "runtime-module-path.txt");
    assertTrue(
        Files.exists(listing), () -> listing.toAbsolutePath() + " is missing: run through Maven");
    modulePath =
        Path.of("target", "classes").toAbsolutePath()
            + File.pathSeparator
            + Files.readString(listing, StandardCharsets.UTF_8).strip();
  }

  /** A child JVM running {@code t4j args}, with {@code props} as system properties. */
  private Process start(String name, List<String> props, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(props);
    command.addAll(List.of("--add-modules", "jdk.incubator.vector", "-p", modulePath, "-m", MAIN));
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectOutput(tmp.resolve(name + ".out").toFile())
        .redirectError(tmp.resolve(name + ".err").toFile())
        .start();
  }

  private String err(String name) throws IOException {
    return Files.readString(tmp.resolve(name + ".err"));
  }

  private int finish(String name, Process p) throws Exception {
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), name + " did not finish in 120 s");
    return p.exitValue();
  }

  private static void kill(String what, Process p) throws Exception {
    p.destroyForcibly();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), what + ": not dead 30 s after SIGKILL");
    // 128 + 9: killed by SIGKILL (a process that had already ended gives its own status).
    assertTrue(p.exitValue() == 137 || p.exitValue() == 0, what + ": exit " + p.exitValue());
  }

  /** Starts a child that holds at {@code point} and returns once it is there (marker written). */
  private Process startHolding(String name, String point, int skip, List<String> args)
      throws Exception {
    Path marker = tmp.resolve(name + ".marker");
    Process p =
        start(
            name,
            List.of(
                "-Dt4j.crashtest.holdAt=" + point,
                "-Dt4j.crashtest.skip=" + skip,
                "-Dt4j.crashtest.marker=" + marker),
            args);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(marker)) {
      assertTrue(p.isAlive(), () -> name + " ended before reaching " + point + ": " + tail(name));
      assertTrue(System.nanoTime() < deadline, name + " did not reach " + point + " in 120 s");
      Thread.sleep(20);
    }
    return p;
  }

  private String tail(String name) {
    try {
      String e = err(name);
      return e.substring(Math.max(0, e.length() - 600));
    } catch (IOException e) {
      return "(no stderr)";
    }
  }

  private List<String> clm(Path data, Path out, boolean resume) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "train", "clm", "--data", data.toString(), "--output", out.toString(),
                "--steps", "60", "--eval-every", "6", "--eval-batches", "1", "--width", "16",
                "--layers", "1", "--heads", "2", "--block", "16", "--batch", "4", "--seed", "5",
                "--backend", "cpu", "--threads", "2"));
    if (resume) {
      a.add("--resume");
    }
    return a;
  }

  private static void assertHasCheckpoint(Path run, String after) throws IOException {
    OutputFolder.Contents c = OutputFolder.inspect(run);
    assertTrue(c.checkpoint(), after + ": no complete checkpoint left in " + run + " (" + c + ")");
  }

  @Test
  void clmKilledAtRandomAndInsideTwoCheckpointSwapsInARowEndsBitIdentical() throws Exception {
    Path data =
        Files.writeString(
            tmp.resolve("corpus.txt"), "to be or not to be, that is the question. ".repeat(60));
    Path ref = tmp.resolve("ref");
    assertEquals(0, finish("ref", start("ref", List.of(), clm(data, ref, false))), () -> tail("ref"));

    Path run = tmp.resolve("run");
    // The first save stages the new run and moves it into place; the second is a swap in place.
    kill("swap 1", startHolding("swap1", "checkpoint.swap", 1, clm(data, run, false)));
    assertHasCheckpoint(run, "a kill inside a checkpoint swap");
    // The next save starts from what that kill left (checkpoint.old and the new hidden folder).
    Process held = startHolding("swap2", "checkpoint.swap", 0, clm(data, run, true));
    // While it holds the folder, a second run on it fails at once, naming the lock.
    Process second = start("second", List.of(), clm(data, run, true));
    assertEquals(1, finish("second", second), () -> tail("second"));
    assertTrue(err("second").contains(OutputFolder.LOCK), () -> tail("second"));
    kill("swap 2", held);
    assertHasCheckpoint(run, "a second kill inside a checkpoint swap in a row");
    assertTrue(Files.isDirectory(run.resolve("checkpoint.old")), "the swap was not interrupted");

    // Between the exported safetensors' complete temporary copy and its rename (the first
    // model.safetensors a save writes is the checkpoint's, in its hidden folder).
    kill(
        "rename",
        startHolding("rename", "atomic.rename:model.safetensors", 1, clm(data, run, true)));
    assertHasCheckpoint(run, "a kill before a rename");
    SafeTensors.open(run.resolve("model.safetensors")).close(); // the old file, complete
    assertTrue(leftovers(run).stream().anyMatch(n -> n.startsWith(".model.safetensors.")));

    // Random moments while it trains: once the resumed run has gone past the rows the killed one
    // reached (metrics.jsonl grows a row per step), a seeded random delay of up to 300 ms, which
    // spans several steps and lands in steps, evaluations, saves and exports alike.
    SplittableRandom r = new SplittableRandom(SEED);
    for (int i = 0; i < 4; i++) {
      String name = "random" + i;
      long rows = Files.readAllLines(run.resolve("metrics.jsonl")).size();
      Process p = start(name, List.of(), clm(data, run, true));
      long at = r.nextLong(300);
      while (p.isAlive() && Files.readAllLines(run.resolve("metrics.jsonl")).size() <= rows) {
        Thread.sleep(5);
      }
      if (!p.waitFor(at, TimeUnit.MILLISECONDS)) {
        kill(name + " " + at + " ms after row " + rows + " (seed " + SEED + ")", p);
        System.out.printf("%s: killed %d ms after metrics row %d%n", name, at, rows);
      } else {
        assertEquals(0, p.exitValue(), () -> tail(name));
      }
      assertHasCheckpoint(run, name + " (seed " + SEED + ")");
      SafeTensors.open(run.resolve("model.safetensors")).close();
    }
    assertEquals(0, finish("last", start("last", List.of(), clm(data, run, true))), () -> tail("last"));

    for (String f :
        List.of(
            "checkpoint/model.safetensors",
            "checkpoint/optimizer.safetensors",
            "checkpoint/trainer_state.json",
            "model.safetensors",
            "config.json",
            "tokenizer.json",
            "metrics.jsonl")) {
      assertArrayEquals(
          Files.readAllBytes(ref.resolve(f)), Files.readAllBytes(run.resolve(f)), f + " differs");
    }
    // No checkpoint.old, hidden checkpoint copies or temporary files are left once it ends.
    assertEquals(List.of(), leftovers(run));
    assertFalse(Files.exists(run.resolve("checkpoint.old")));
  }

  /** Hidden files and folders in {@code dir}, but the lock file a killed run may leave. */
  private static List<String> leftovers(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".") && !n.equals(OutputFolder.LOCK))
          .sorted()
          .toList();
    }
  }

  @Test
  void tokenizerTrainKilledAtRandomNeverLeavesAHalfFile() throws Exception {
    StringBuilder text = new StringBuilder();
    SplittableRandom words = new SplittableRandom(SEED);
    String[] w = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"};
    for (int i = 0; i < 30_000; i++) {
      text.append(w[words.nextInt(w.length)]).append(i % 13 == 12 ? "\n" : " ");
    }
    Path data = Files.writeString(tmp.resolve("text.txt"), text);
    Path ref = tmp.resolve("ref.json");
    List<String> args =
        List.of("tokenizer", "train", "--vocab-size", "300", data.toString(), "-o");
    long t0 = System.nanoTime();
    List<String> refArgs = new ArrayList<>(args);
    refArgs.add(ref.toString());
    assertEquals(0, finish("tref", start("tref", List.of(), refArgs)), () -> tail("tref"));
    long refMillis = (System.nanoTime() - t0) / 1_000_000;
    byte[] want = Files.readAllBytes(ref);

    Path out = tmp.resolve("out").resolve("tokenizer.json");
    Files.createDirectories(out.getParent());
    List<String> outArgs = new ArrayList<>(args);
    outArgs.add(out.toString());
    outArgs.add("--overwrite");
    // Held between the complete temporary file and its rename: nothing under the final name.
    kill("rename", startHolding("trename", "atomic.rename:tokenizer.json", 0, outArgs));
    assertFalse(Files.exists(out), "a file under the final name before the rename");
    SplittableRandom r = new SplittableRandom(SEED);
    for (int i = 0; i < 4; i++) {
      String name = "trandom" + i;
      Process p = start(name, List.of(), outArgs);
      long at = 300 + r.nextLong(Math.max(1, refMillis - 300));
      if (!p.waitFor(at, TimeUnit.MILLISECONDS)) {
        kill(name + " at " + at + " ms (seed " + SEED + ")", p);
        System.out.printf("%s: killed at %d ms of a %d ms run%n", name, at, refMillis);
      } else {
        assertEquals(0, p.exitValue(), () -> tail(name));
      }
      // Absent, or the whole file (each run writes the same bytes): never a torn one.
      assertTrue(
          !Files.exists(out) || java.util.Arrays.equals(want, Files.readAllBytes(out)),
          name + " at " + at + " ms left a different " + out + " (seed " + SEED + ")");
    }
    assertEquals(0, finish("tlast", start("tlast", List.of(), outArgs)), () -> tail("tlast"));
    assertArrayEquals(want, Files.readAllBytes(out));
    // The temporary files of killed writes are gone after the next complete write.
    assertEquals(List.of(), leftovers(out.getParent()));
  }
}
