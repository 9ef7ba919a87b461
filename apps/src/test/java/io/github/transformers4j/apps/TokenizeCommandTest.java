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
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path f = p.resolve("shared/fixtures/tokenizers");
      if (Files.isDirectory(f)) {
        return f.resolve(relative);
      }
    }
    throw new AssertionError("no shared/fixtures/tokenizers above " + Path.of("").toAbsolutePath());
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
}
