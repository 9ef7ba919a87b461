package io.github.transformers4j.apps;

import static io.github.transformers4j.apps.TrainingCommandsTest.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.apps.commands.QuickstartCommand;
import io.github.transformers4j.training.OutputFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output-folder protocol through the command line: no mistake destroys a model, no failed start
 * leaves a folder, {@code --overwrite} and {@code --resume} do what they say, a resumed run keeps
 * its schedule. Tiny models, a few steps each.
 */
class OutputProtocolTest {
  private static final String[] G = {"--backend", "cpu", "--threads", "1"};

  @TempDir Path dir;
  private Path text;
  private Path pairs;

  @BeforeEach
  void data() throws IOException {
    text =
        Files.writeString(
            dir.resolve("corpus.txt"), "to be or not to be, that is the question. ".repeat(20));
    StringBuilder tsv = new StringBuilder();
    for (String w : new String[] {"abc", "bca", "cab", "aab", "bba", "cca", "abb", "cab"}) {
      tsv.append(w).append('\t').append(new StringBuilder(w).reverse()).append('\n');
    }
    pairs = Files.writeString(dir.resolve("pairs.tsv"), tsv.toString());
  }

  private Cli.Run clm(Path data, Path out, String... more) {
    String[] head = {"train", "clm", "--data", data.toString(), "--output", out.toString()};
    return Cli.runInstalled(concat(concat(G, head), withDefaults(TrainingCommandsTest.TINY, more)));
  }

  /** {@code more} after those (option, value) pairs of {@code defaults} that it does not set. */
  static String[] withDefaults(String[] defaults, String... more) {
    List<String> given = List.of(more);
    List<String> out = new ArrayList<>();
    for (int i = 0; i + 1 < defaults.length; i += 2) {
      if (!given.contains(defaults[i])) {
        out.add(defaults[i]);
        out.add(defaults[i + 1]);
      }
    }
    out.addAll(given);
    return out.toArray(String[]::new);
  }

  private Cli.Run seq2seq(Path out, String... more) {
    String[] head =
        TrainingCommandsTest.tinySeq2seq(pairs.toString(), out.toString(), "--batch",
      "4",
      "--steps",
      "2",
      "--val-fraction",
      "0",
      "--exact-match-limit",
      "0");
    return Cli.runInstalled(concat(concat(G, head), more));
  }

  private Cli.Run mlm(Path out, String... more) {
    return Cli.runInstalled(TrainingCommandsTest.bert("mlm", text, out, more));
  }

  /** Every file under {@code folder} with its bytes, to show that nothing was written. */
  static Map<String, String> snapshot(Path folder) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(folder)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(
            folder.relativize(p).toString(),
            java.util.HexFormat.of()
                .formatHex(
                    java.security.MessageDigest.getInstance("SHA-256")
                        .digest(Files.readAllBytes(p))));
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    return m;
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertFails(Cli.Run run, int code, String... words) {
    assertEquals(code, run.code(), run::toString);
    for (String w : words) {
      assertTrue(run.err().contains(w), () -> "'" + w + "' not in: " + run);
    }
    assertFalse(run.err().contains("Exception"), run::toString);
  }

  @Test
  void aNewRunAppearsCompleteAndAFailedStartLeavesNothing() throws IOException {
    Cli.Run ok = clm(text, dir.resolve("model"));
    assertEquals(0, ok.code(), ok::toString);
    assertTrue(Files.exists(dir.resolve("model/checkpoint/model.safetensors")));
    assertTrue(Files.readString(dir.resolve("model/recipe.json")).contains("\"clm\""));
    // A block longer than the text: fails before the first checkpoint.
    assertFails(clm(text, dir.resolve("bad"), "--block", "5000"), 1, "--block");
    // Classification with one label: fails before training.
    Path one = Files.writeString(dir.resolve("one.tsv"), "good\tpos\nfine\tpos\n");
    assertFails(
        Cli.runInstalled(TrainingCommandsTest.bert("classify", one, dir.resolve("cls"))),
        1,
        "need at least 2");
    assertEquals(List.of("corpus.txt", "model", "one.tsv", "pairs.tsv"), names());
  }

  @Test
  void anExistingModelIsRefusedWithoutAFlagAndUntouched() throws IOException {
    Path model = dir.resolve("model");
    assertEquals(0, clm(text, model).code());
    Map<String, String> before = snapshot(model);
    assertFails(
        clm(text, model),
        1,
        "already holds a char-level GPT of 't4j train clm'",
        "--resume",
        "--overwrite");
    assertFails(mlm(model), 1, "already holds a char-level GPT");
    assertEquals(before, snapshot(model));
    assertFails(clm(text, model, "--resume", "--overwrite"), 2, "contradict");
    assertFails(clm(text, dir.resolve("new"), "--reschedule"), 2, "only with --resume");
    assertEquals(before, snapshot(model));
    assertFalse(Files.exists(dir.resolve("new")));
  }

  @Test
  void resumingAnotherFamilyIsAnErrorNamingItAndWritesNothing() throws IOException {
    Path s2s = dir.resolve("s2s");
    assertEquals(0, seq2seq(s2s).code());
    Map<String, String> s2sFiles = snapshot(s2s);
    assertFails(
        clm(text, s2s, "--resume"),
        1,
        "holds an encoder-decoder model of 't4j train seq2seq'",
        "not a char-level GPT");
    assertEquals(s2sFiles, snapshot(s2s));
    Cli.Run gen =
        Cli.runInstalled(concat(G, "generate", "--model", s2s.toString(), "--prompt", "abc"));
    assertEquals(0, gen.code(), gen::toString);

    Path gpt = dir.resolve("gpt");
    assertEquals(0, clm(text, gpt).code());
    Map<String, String> gptFiles = snapshot(gpt);
    assertFails(mlm(gpt, "--resume"), 1, "holds a char-level GPT of 't4j train clm'");
    assertEquals(gptFiles, snapshot(gpt));

    Path hf = Files.createDirectories(dir.resolve("hf"));
    Files.writeString(hf.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
    Files.writeString(hf.resolve("model.safetensors"), "");
    Map<String, String> hfFiles = snapshot(hf);
    assertFails(clm(text, hf, "--resume"), 1, "Hugging Face model (model_type gpt2)");
    assertFails(seq2seq(hf), 1, "already holds a Hugging Face model");
    assertEquals(hfFiles, snapshot(hf));
  }

  @Test
  void resumingChecksTheOptionsAndTheVocabularyBeforeWriting() throws IOException {
    Path model = dir.resolve("model");
    assertEquals(0, clm(text, model).code());
    Map<String, String> before = snapshot(model);
    assertFails(
        clm(text, model, "--resume", "--width", "32"), 1, "--width is 32", "trained with 16");
    assertFails(clm(text, model, "--resume", "--layers", "2"), 1, "--layers is 2");
    Path other = Files.writeString(dir.resolve("other.txt"), "XYZ xyz! ".repeat(40));
    assertFails(clm(other, model, "--resume"), 1, "characters of --data differ", "'X'");
    assertEquals(before, snapshot(model));

    Path s2s = dir.resolve("s2s");
    assertEquals(0, seq2seq(s2s).code());
    Map<String, String> s2sFiles = snapshot(s2s);
    Path vocab =
        Files.writeString(
            dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\n");
    assertFails(
        seq2seq(s2s, "--resume", "--tokenizer", vocab.toString()),
        1,
        "trained with the tokenizer tokenizer.json, not vocab.txt");
    assertFails(seq2seq(s2s, "--resume", "--positions", "rotary"), 1, "--positions is rotary");
    assertEquals(s2sFiles, snapshot(s2s));

    Path half = Files.createDirectories(dir.resolve("half"));
    Files.writeString(half.resolve("config.json"), "{}");
    Files.writeString(half.resolve("tokenizer.json"), "{}");
    Files.writeString(half.resolve("recipe.json"), "{\"task\": \"clm\"}");
    assertFails(clm(text, half, "--resume"), 1, "no checkpoint", "--overwrite");
    assertFails(clm(text, dir.resolve("absent"), "--resume"), 1, "does not exist");
    assertFalse(Files.exists(dir.resolve("absent")));
  }

  @Test
  void overwriteReplacesAModelOfAnyFamilyButNotOtherFiles() throws IOException {
    Path s2s = dir.resolve("s2s");
    assertEquals(0, seq2seq(s2s).code());
    Cli.Run run = clm(text, s2s, "--overwrite");
    assertEquals(0, run.code(), run::toString);
    assertTrue(Files.readString(s2s.resolve("recipe.json")).contains("\"clm\""));
    Cli.Run gen =
        Cli.runInstalled(
            concat(G, "generate", "--model", s2s.toString(), "--prompt", "to", "--max-new", "3"));
    assertEquals(0, gen.code(), gen::toString);

    Path hf = Files.createDirectories(dir.resolve("hf"));
    Files.writeString(hf.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
    Files.writeString(hf.resolve("model.safetensors"), "");
    assertEquals(0, mlm(hf, "--overwrite").code());
    assertTrue(Files.readString(hf.resolve("recipe.json")).contains("\"mlm\""));
    // The old (empty) weights gave way to the new model's Hugging Face weights.
    assertTrue(Files.size(hf.resolve("model.safetensors")) > 0);
    assertTrue(Files.readString(hf.resolve("config.json")).contains("BertForMaskedLM"));

    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(docs.resolve("notes.txt"), "mine");
    assertFails(clm(text, docs, "--overwrite"), 1, "model folders only", "notes.txt");
    assertEquals("mine", Files.readString(docs.resolve("notes.txt")));
    // A failed overwrite (before its first checkpoint) keeps the old model.
    Map<String, String> before = snapshot(s2s);
    assertFails(clm(text, s2s, "--overwrite", "--block", "5000"), 1, "--block");
    assertEquals(before, snapshot(s2s));
    assertEquals(List.of("corpus.txt", "docs", "hf", "pairs.tsv", "s2s"), names());
  }

  private static List<Double> rates(Path model) throws IOException {
    List<Double> lr = new ArrayList<>();
    for (String line : Files.readAllLines(model.resolve("metrics.jsonl"))) {
      var o = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
      if (o.has("lr")) {
        lr.add(o.get("lr").getAsDouble());
      }
    }
    return lr;
  }

  @Test
  void aResumedRunKeepsItsScheduleUnlessRescheduled() throws IOException {
    // TINY: 3 steps, lr 1e-3 down to 1e-4; the warmup of 1 is capped to 0 (a tenth of 3).
    Path kept = dir.resolve("kept");
    assertEquals(0, clm(text, kept).code());
    Cli.Run more = clm(text, kept, "--resume", "--steps", "5");
    assertEquals(0, more.code(), more::toString);
    assertTrue(more.out().contains("done at step 5"), more::toString);
    List<Double> lr = rates(kept);
    assertEquals(5, lr.size(), lr::toString);
    // The saved schedule reached its floor at step 3 and stays there.
    assertEquals(1e-4, lr.get(3), 1e-12);
    assertEquals(1e-4, lr.get(4), 1e-12);

    Path re = dir.resolve("re");
    assertEquals(0, clm(text, re).code());
    Cli.Run again = clm(text, re, "--resume", "--steps", "5", "--reschedule");
    assertEquals(0, again.code(), again::toString);
    List<Double> lr2 = rates(re);
    assertEquals(lr.subList(0, 3), lr2.subList(0, 3));
    // Rescheduled over 5 steps: step 4 is still on the way down.
    double expected = 1e-4 + 0.5 * (1 + Math.cos(Math.PI * 3 / 5)) * (1e-3 - 1e-4);
    assertEquals(expected, lr2.get(3), 1e-9);
  }

  @Test
  void aShortRunsScheduleStillDecays() throws IOException {
    // --warmup 100 with --steps 3: capped to a tenth of the steps, so the rate falls.
    Path out = dir.resolve("short");
    assertEquals(0, clm(text, out, "--warmup", "100").code());
    List<Double> lr = rates(out);
    assertTrue(lr.get(2) < lr.get(0), lr::toString);
  }

  @Test
  void quickstartReplacesOnlyItsOwnDefaultFolder() throws IOException {
    Path qs = dir.resolve("t4j-quickstart");
    String[] args = concat(G, "quickstart", "--steps", "1", "--output", qs.toString());
    assertEquals(0, Cli.runInstalled(args).code());
    // Without --output the default folder holding a quickstart model is replaced ...
    assertEquals(OutputFolder.Mode.OVERWRITE, QuickstartCommand.mode(qs, false, false));
    // ... a folder the user named is not, unless --overwrite.
    assertEquals(OutputFolder.Mode.NEW, QuickstartCommand.mode(qs, true, false));
    assertFails(Cli.runInstalled(args), 1, "already holds a char-level GPT");
    Cli.Run twice = Cli.runInstalled(concat(args, "--overwrite"));
    assertEquals(0, twice.code(), twice::toString);
    // A default folder that holds something else is not replaced.
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(docs.resolve("notes.txt"), "mine");
    assertEquals(OutputFolder.Mode.NEW, QuickstartCommand.mode(docs, false, false));
  }

  @Test
  void tokenizerTrainRefusesAnExistingFileUnlessOverwrite() throws IOException {
    Path out = dir.resolve("tok.json");
    String[] args = {
      "tokenizer", "train", "--vocab-size", "300", "--output", out.toString(), text.toString()
    };
    assertEquals(0, Cli.runInstalled(args).code());
    String first = Files.readString(out);
    assertFails(Cli.runInstalled(args), 1, "already exists", "--overwrite");
    assertEquals(first, Files.readString(out));
    assertEquals(0, Cli.runInstalled(concat(args, "--overwrite")).code());
    assertFails(
        Cli.runInstalled("tokenizer", "train", "--output", dir.toString(), text.toString()),
        1,
        "is a folder");
  }

  @Test
  void everyTrainingCommandOffersTheProtocolInItsHelp() {
    for (String task : new String[] {"clm", "seq2seq", "mlm", "classify"}) {
      Cli.Run help = Cli.runInstalled("train", task, "--help");
      assertEquals(0, help.code(), help::toString);
      for (String w :
          new String[] {"--resume", "--overwrite", "--reschedule", "a tenth of --steps"}) {
        assertTrue(help.out().contains(w), () -> task + ": '" + w + "' not in " + help);
      }
      assertFalse(help.err().contains("WARN") || help.out().contains("WARN"), help::toString);
    }
  }
}
