package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, defect 4: a mistaken {@code --resume} (other model options, other data with the same
 * vocabulary) fails naming what differs, before anything in the folder changes.
 */
class ResumeGuardTest {
  final Ops ops = TestOps.reference();

  static final String TEXT = "to be or not to be, that is the question.\n".repeat(20);

  /** The same characters in another order: the same vocabulary, other data. */
  static final String SHUFFLED;

  static {
    List<String> lines = new ArrayList<>();
    for (String w : TEXT.split(" ")) {
      lines.add(w);
    }
    Collections.reverse(lines);
    SHUFFLED = String.join(" ", lines);
  }

  static CharLm.Settings clm(int width, long steps) {
    return new CharLm.Settings(
        16, 2, 1, 2, width, 0f, steps, 1e-3, 1e-4, 1, 0.99, 0.1, 1.0, 1, 2, 1, 0.1, 1337);
  }

  /** Every file under {@code dir} with its bytes, as text for a readable failure. */
  static Map<String, String> snapshot(Path dir) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(
            dir.relativize(p).toString(),
            java.util.HexFormat.of()
                .formatHex(
                    java.security.MessageDigest.getInstance("SHA-256")
                        .digest(Files.readAllBytes(p))));
      }
    }
    return m;
  }

  @Test
  void clmResumeWithOtherDataOrWidthFailsBeforeWritingAnything(@TempDir Path tmp)
      throws Exception {
    Path run = tmp.resolve("run");
    try (OutputFolder f = OutputFolder.open(run, CharLm.TASK, OutputFolder.Mode.NEW)) {
      CharLm.train(ops, TEXT, clm(16, 3), f, false, null);
    }
    assertEquals(
        64,
        Checkpoint.readState(run.resolve("checkpoint")).extra().get(OutputFolder.DATA_KEY).length());
    assertEquals(
        new java.util.TreeSet<>(List.of(TEXT.split(""))),
        new java.util.TreeSet<>(List.of(SHUFFLED.split(""))));
    Map<String, String> before = snapshot(run);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> resumeClm(run, SHUFFLED, 16, 6));
    assertTrue(e.getMessage().contains("is not the data the checkpoint in"), e.getMessage());
    assertTrue(e.getMessage().contains("--data"), e.getMessage());
    assertEquals(before, snapshot(run));

    e = assertThrows(IllegalArgumentException.class, () -> resumeClm(run, TEXT, 24, 6));
    assertTrue(e.getMessage().contains("--width is 24"), e.getMessage());
    assertEquals(before, snapshot(run));

    // The same data continues.
    assertEquals(6, resumeClm(run, TEXT, 16, 6).step());
    assertNotEquals(before, snapshot(run));
  }

  private Trainer.Result resumeClm(Path run, String text, int width, long steps)
      throws Exception {
    try (OutputFolder f = OutputFolder.open(run, CharLm.TASK, OutputFolder.Mode.RESUME)) {
      return CharLm.train(ops, text, clm(width, steps), f, false, null);
    }
  }

  @Test
  void seq2seqResumeWithOtherPairsFailsBeforeWritingAnything(@TempDir Path tmp)
      throws Exception {
    List<Datasets.Pair> pairs = Seq2SeqRecipeTest.reversals(20);
    Path run = tmp.resolve("run");
    try (OutputFolder f = OutputFolder.open(run, Seq2SeqRecipe.TASK, OutputFolder.Mode.NEW)) {
      Seq2SeqRecipe.train(ops, pairs, null, seq2seq(2), f, false, null);
    }
    Map<String, String> before = snapshot(run);
    // Each target swapped with the next pair's: the same characters, other examples.
    List<Datasets.Pair> other = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      other.add(new Datasets.Pair(pairs.get(i).source(), pairs.get((i + 1) % pairs.size()).target()));
    }
    try (OutputFolder f = OutputFolder.open(run, Seq2SeqRecipe.TASK, OutputFolder.Mode.RESUME)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> Seq2SeqRecipe.train(ops, other, null, seq2seq(3), f, false, null));
      assertTrue(e.getMessage().contains("is not the data the checkpoint in"), e.getMessage());
    }
    assertEquals(before, snapshot(run));
    try (OutputFolder f = OutputFolder.open(run, Seq2SeqRecipe.TASK, OutputFolder.Mode.RESUME)) {
      assertEquals(
          3, Seq2SeqRecipe.train(ops, pairs, null, seq2seq(3), f, false, null).result().step());
    }
  }

  private static Seq2SeqRecipe.Settings seq2seq(long steps) {
    return new Seq2SeqRecipe.Settings(
        16, 2, 32, 2, 0f, "sinusoidal", true, 8, steps, 1e-3, 1, 0.1f, 0.01, 1.0, 2, 0, 5);
  }

  /** Defect 6: a char model whose tokenizer.json lacks ids of its vocabulary is refused. */
  @Test
  void aCharTokenizerSmallerThanTheModelIsRefusedAtLoad(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    try (OutputFolder f = OutputFolder.open(run, CharLm.TASK, OutputFolder.Mode.NEW)) {
      CharLm.train(ops, TEXT, clm(16, 2), f, false, null);
    }
    String json = Files.readString(run.resolve("tokenizer.json"));
    // Drop the vocabulary's last entry (the one the closing brace follows).
    String smaller = json.replaceFirst(",\\s*\"[^\"]*\"\\s*:\\s*\\d+(\\s*\\})", "$1");
    assertNotEquals(json, smaller);
    Files.writeString(run.resolve("tokenizer.json"), smaller);
    java.io.IOException e =
        assertThrows(java.io.IOException.class, () -> CharLm.load(ops, run));
    assertTrue(e.getMessage().contains("tokens but"), e.getMessage());
    assertTrue(e.getMessage().contains("vocab_size"), e.getMessage());
  }

  /** Defect 6: NaN weights in a checkpoint are refused, naming the tensor. */
  @Test
  void aCheckpointWithNaNWeightsIsRefusedNamingTheTensor(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    try (OutputFolder f = OutputFolder.open(run, CharLm.TASK, OutputFolder.Mode.NEW)) {
      CharLm.train(ops, TEXT, clm(16, 2), f, false, null);
    }
    Path model = run.resolve("checkpoint").resolve("model.safetensors");
    byte[] b = Files.readAllBytes(model);
    long header = java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    // The last float of the data section: NaN.
    java.nio.ByteBuffer.wrap(b)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putFloat(b.length - 4, Float.NaN);
    assertTrue(8 + header < b.length - 4);
    Files.write(model, b);
    java.io.IOException e =
        assertThrows(java.io.IOException.class, () -> CharLm.load(ops, run));
    assertTrue(e.getMessage().contains("holds NaN at element"), e.getMessage());
    try (OutputFolder f = OutputFolder.open(run, CharLm.TASK, OutputFolder.Mode.RESUME)) {
      Exception r =
          assertThrows(Exception.class, () -> CharLm.train(ops, TEXT, clm(16, 4), f, false, null));
      assertTrue(r.getMessage().contains("holds NaN at element"), r.getMessage());
    }
  }

  @Test
  void theFingerprintSeparatesSplitsAndTypes() {
    assertNotEquals(
        OutputFolder.fingerprint(List.of(new int[] {1, 2}, new int[] {3})),
        OutputFolder.fingerprint(List.of(new int[] {1}, new int[] {2, 3})));
    assertNotEquals(
        OutputFolder.fingerprint(List.of("ab", "c")), OutputFolder.fingerprint(List.of("a", "bc")));
    assertEquals(
        OutputFolder.fingerprint(List.of(new int[] {1, 2}, "x")),
        OutputFolder.fingerprint(List.of(new int[] {1, 2}, "x")));
    int[] big = new int[5000];
    big[4999] = 1;
    assertNotEquals(
        OutputFolder.fingerprint(List.<Object>of(big)),
        OutputFolder.fingerprint(List.<Object>of(new int[5000])));
  }
}
