package io.github.transformers4j.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.spark.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkTrainMainTest {
  @TempDir Path dir;

  record Ran(int status, String out, String err) {}

  Ran run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        SparkTrainMain.run(
            args,
            LocalSpark.session(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Ran(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void trainClmRunsTwoWorkersAndWritesALoadableFolder() throws Exception {
    Path data = dir.resolve("text.txt");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      lines.add("line " + i + ": the quick brown fox jumps over the lazy dog");
    }
    Files.write(data, lines);
    Path out = dir.resolve("run");
    Ran r =
        run(
            "train", "clm", "--data", data.toString(), "--output", out.toString(), "--workers",
            "2", "--steps", "3", "--warmup=1", "--batch", "2", "--block", "8", "--layers", "1",
            "--heads", "2", "--width", "8", "--checkpoint-every", "2");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("trained steps 0..3 on 2 replicas"), r.out());
    for (String f : List.of("model.safetensors", "config.json", "tokenizer.json", "recipe.json")) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
  }

  @Test
  void trainSeq2seqTakesTheOptionsOfT4jTrainSeq2seq() throws Exception {
    Path data = dir.resolve("pairs.tsv");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add("number " + i + "\t" + i);
    }
    Files.write(data, lines);
    Path out = dir.resolve("s2s");
    Ran r =
        run(
            "train", "seq2seq", "--data", data.toString(), "--output", out.toString(),
            "--workers", "2", "--steps", "3", "--warmup", "1", "--batch", "2", "--width", "8",
            "--heads", "2", "--ffn", "16", "--layers", "1", "--positions", "learned", "--post-ln",
            "--checkpoint-every", "2", "--accumulation", "2");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("train seq2seq: trained steps 0..3 on 2 replicas"), r.out());
    String recipe = Files.readString(out.resolve("recipe.json"));
    assertTrue(recipe.contains("\"task\": \"seq2seq\""), recipe);
    assertTrue(recipe.contains("\"positions\": \"learned\""), recipe);
    assertTrue(Files.exists(out.resolve("model.safetensors")));
  }

  @Test
  void aBadRecipeCommandLineNamesTheOption() {
    Ran refused =
        run("train", "mlm", "--data", "x", "--output", "y", "--workers", "2", "--tokenizer", "t");
    assertEquals(2, refused.status());
    assertTrue(
        refused.err().contains("train mlm on Spark does not take --tokenizer"), refused.err());
    Ran unknown =
        run("train", "classify", "--data", "x", "--output", "y", "--workers", "2", "--block", "8");
    assertEquals(2, unknown.status());
    assertTrue(unknown.err().contains("train classify: unknown option '--block'"), unknown.err());
    Ran number =
        run("train", "seq2seq", "--data", "x", "--output", "y", "--workers", "2", "--lr", "fast");
    assertTrue(number.err().contains("--lr expects a number, got 'fast'"), number.err());
    Ran missing = run("train", "classify", "--data", "x", "--workers", "2");
    assertTrue(missing.err().contains("train classify: --output is required"), missing.err());
    for (Ran r : List.of(refused, unknown, number, missing)) {
      assertFalse(r.err().contains("Exception"), r.err());
    }
  }

  @Test
  void aBadCommandLineNamesTheOptionWithoutAStackTrace() {
    Ran unknown = run("train", "clm", "--data", "x", "--output", "y", "--workers", "2", "--bogus");
    assertEquals(2, unknown.status());
    assertTrue(unknown.err().startsWith("error: unknown option '--bogus'"), unknown.err());
    Ran notNumber =
        run("train", "clm", "--data", "x", "--output", "y", "--workers", "two");
    assertEquals(2, notNumber.status());
    assertTrue(
        notNumber.err().contains("--workers expects a whole number, got 'two'"), notNumber.err());
    Ran task = run("train", "gan", "--data", "x");
    assertEquals(2, task.status());
    assertTrue(task.err().contains("unknown task 'gan'"), task.err());
    Ran missing = run("train", "clm", "--data", "x", "--output", "y");
    assertTrue(missing.err().contains("--workers is required"), missing.err());
    Ran warm =
        run("train", "clm", "--data", "x", "--output", "y", "--workers", "1", "--steps", "5",
            "--warmup", "9");
    assertTrue(warm.err().contains("--warmup must be between 0 and --steps 5"), warm.err());
    for (Ran r : List.of(unknown, notNumber, task, missing, warm)) {
      assertFalse(r.err().contains("Exception"), r.err());
    }
  }

  @Test
  void moreWorkersThanLocalSlotsFailAtOnce() throws Exception {
    Path data = dir.resolve("t.txt");
    Files.write(data, List.of("a b c", "d e f", "g h i"));
    long t0 = System.nanoTime();
    Ran r =
        run("train", "clm", "--data", data.toString(), "--output", dir.resolve("o").toString(),
            "--workers", "3");
    assertEquals(1, r.status());
    assertTrue(
        r.err().contains("--workers 3 needs 3 task slots at once (barrier mode), but local[2] has 2"),
        r.err());
    assertTrue((System.nanoTime() - t0) / 1e9 < 10, "without waiting for slots");
    assertEquals(2, BarrierTraining.localSlots("local[2]", 1, 8));
    assertEquals(8, BarrierTraining.localSlots("local[*]", 1, 8));
    assertEquals(1, BarrierTraining.localSlots("local", 1, 8));
    assertEquals(2, BarrierTraining.localSlots("local[4,3]", 2, 8));
    assertEquals(-1, BarrierTraining.localSlots("spark://h:7077", 1, 8));
    assertEquals(-1, BarrierTraining.localSlots("yarn", 1, 8));
  }

  @Test
  void aMissingDataFileFailsNamingIt() {
    Path nowhere = dir.resolve("no-such.txt");
    Ran r =
        run("train", "clm", "--data", nowhere.toString(), "--output", dir.resolve("o").toString(),
            "--workers", "1");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("no-such.txt"), r.err());
  }
}
