package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code t4j tokenize} and {@code t4j tokenizer train}. */
class TokenizeCommandTest {
  @TempDir Path tmp;

  static Path fixture(String relative) {
    return io.github.transformers4j.api.testing.SharedData.require("tokenizers/" + relative);
  }

  @Test
  void tokenizesWithBertVocabAndPrintsOffsets() {
    Cli.Run r =
        Cli.run("tokenize", "-t", fixture("bert-base-uncased/vocab.txt").toString(), "--offsets", "Hello", "World");
    assertEquals(0, r.code(), r.toString());
    assertEquals(
        List.of("ids: 101 7592 2088 102", "tokens: [CLS] hello world [SEP]", "offsets: 0-0 0-5 6-11 0-0"),
        r.out().lines().toList());
  }

  @Test
  void tokenizesWithGpt2Files() {
    Cli.Run r = Cli.run("tokenize", "-t", fixture("gpt2/encoder.json").toString(), "hello world");
    assertEquals(0, r.code(), r.toString());
    assertEquals("ids: 31373 995", r.out().lines().findFirst().orElseThrow());
  }

  @Test
  void unknownFileIsOneErrorLine() throws IOException {
    Path bad = Files.writeString(tmp.resolve("weird.bin"), "x");
    Cli.Run r = Cli.run("tokenize", "-t", bad.toString(), "x");
    assertEquals(1, r.code(), r.toString());
    assertEquals(1, r.errorLines().size(), r.toString());
    assertTrue(r.errorLines().get(0).contains("weird.bin: unknown tokenizer file type"), r.toString());
  }

  /** Issue 12, defect 1: this 10-byte model hung {@code t4j tokenize} forever at full CPU. */
  @Test
  void sentencePieceModelWithARunawayLengthIsOneErrorLine() throws IOException {
    Path bad = tmp.resolve("x.model");
    Files.write(bad, java.util.HexFormat.of().parseHex("7af6ffffffffffffff7f"));
    Cli.Run r =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(20), () -> Cli.run("tokenize", "-t", bad.toString(), "hi"));
    assertEquals(1, r.code(), r::toString);
    assertEquals(
        List.of("t4j: " + bad + ": malformed protobuf at byte 1 in ModelProto: length"
            + " 9223372036854775798 runs past the end of the message at byte 10 (0 bytes left)"),
        r.errLines(),
        r::toString);
  }

  @Test
  void trainsThenTokenizesWithTheResult() throws IOException {
    Random rnd = new Random(42);
    String[] words = {"lower", "lowest", "newer", "newest", "wider", "widest", "low", "new", "wide"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < 8; k++) {
        sb.append(words[rnd.nextInt(words.length)]).append(' ');
      }
      lines.add(sb.toString().trim());
    }
    Path corpus = Files.write(tmp.resolve("corpus.txt"), lines);
    Path out = tmp.resolve("tok/tokenizer.json");
    Cli.Run r = Cli.run("tokenizer", "train", "--vocab-size", "300", "-o", out.toString(), corpus.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.err().lines().anyMatch(l -> l.startsWith("merge ")), r.toString());
    assertTrue(r.out().contains("saved"), r.toString());
    Cli.Run t = Cli.run("tokenize", "-t", out.toString(), "lowest newest");
    assertEquals(0, t.code(), t.toString());
    assertEquals("tokens: lowest Ġnewest", t.out().lines().skip(1).findFirst().orElseThrow());
  }

  @Test
  void trainsUnigramThenTokenizesWithTheResult() throws IOException {
    Random rnd = new Random(7);
    String[] words = {"lower", "lowest", "newer", "newest", "wider", "widest", "low", "new", "wide"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < 8; k++) {
        sb.append(words[rnd.nextInt(words.length)]).append(' ');
      }
      lines.add(sb.toString().trim());
    }
    Path corpus = Files.write(tmp.resolve("corpus.txt"), lines);
    Path out = tmp.resolve("uni/tokenizer.json");
    Cli.Run r =
        Cli.run("tokenizer", "train", "--model", "unigram", "--vocab-size", "40", "-o", out.toString(), corpus.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.err().lines().anyMatch(l -> l.startsWith("em ") && l.contains(" steps/s")), r.toString());
    // Nine distinct words: EM gives whole words all the mass, so the chars and the words (and a few
    // pieces) are all there is; the command says why there are fewer tokens than asked.
    List<String> said = r.out().lines().toList();
    assertTrue(said.get(0).matches("saved .*tokenizer.json: [0-9]+ tokens \\(unigram, pre-tokenizer metaspace\\)"), r.toString());
    int tokens = Integer.parseInt(said.get(0).replaceAll(".*: ([0-9]+) tokens.*", "$1"));
    assertTrue(tokens >= 3 + 11 + 9 && tokens < 40, r.toString()); // specials, chars with ▁, words
    assertTrue(said.get(1).startsWith("note: 40 tokens asked; the corpus offers no more"), r.toString());
    String json = Files.readString(out);
    assertTrue(json.contains("\"type\": \"Unigram\"") && json.contains("\"type\": \"NFKC\""), json.substring(0, 300));
    Cli.Run t = Cli.run("tokenize", "-t", out.toString(), "lowest newest");
    assertEquals(0, t.code(), t.toString());
    assertEquals("tokens: \u2581lowest \u2581newest", t.out().lines().skip(1).findFirst().orElseThrow());
    // Special tokens <unk>, <s>, </s> first.
    Cli.Run s = Cli.run("tokenize", "-t", out.toString(), "<s>low</s>");
    assertTrue(s.out().startsWith("ids: 1 "), s.toString());
  }

  @Test
  void unigramSettingsAreCheckedAndRejectedElsewhere() throws IOException {
    Path corpus = Files.write(tmp.resolve("c.txt"), List.of("a b c"));
    Path out = tmp.resolve("x/tokenizer.json");
    Cli.Run bad = Cli.run(
        "tokenizer", "train", "--model", "unigram", "--shrinking-factor", "1.5", "-o", out.toString(), corpus.toString());
    assertEquals(1, bad.code(), bad.toString());
    assertEquals(1, bad.errorLines().size(), bad.toString());
    assertTrue(bad.errorLines().get(0).contains("--shrinking-factor must be in (0, 1)"), bad.toString());
    Cli.Run small = Cli.run(
        "tokenizer", "train", "--model", "wordpiece", "--vocab-size", "0", "-o", out.toString(), corpus.toString());
    assertEquals(2, small.code(), small.toString()); // a usage error, naming the option
    assertTrue(small.err().contains("--vocab-size"), small.toString());
    Cli.Run bpe = Cli.run("tokenizer", "train", "--seed-size", "10", "-o", out.toString(), corpus.toString());
    assertEquals(1, bpe.code(), bpe.toString());
    assertTrue(bpe.errorLines().get(0).contains("--seed-size: only for --model unigram, not bpe"), bpe.toString());
    assertTrue(Files.notExists(out));
  }
}
