package io.github.transformers4j.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
  @TempDir Path dir;

  @Test
  void charTokenizerRoundTripsAndSaves() throws IOException {
    CharTokenizer t = CharTokenizer.fit("hello world", true);
    assertEquals(5 + 8, t.vocabSize());
    assertEquals("hello", t.decode(t.encode("hello")));
    assertEquals(4, t.encode("z")[0]); // [UNK]
    t.save(dir.resolve("vocab.json"));
    CharTokenizer u = CharTokenizer.load(dir.resolve("vocab.json"));
    assertArrayEquals(t.encode("low"), u.encode("low"));
    CharTokenizer plain = CharTokenizer.fit("ab", false);
    var e = assertThrows(IllegalArgumentException.class, () -> plain.encode("c"));
    assertTrue(e.getMessage().contains("'c'"), e.getMessage());
  }

  /**
   * The Hugging Face form of a char vocabulary: {@code testdata/tokenizers/char-wordlevel} holds a
   * {@code tokenizer.json} that {@code t4j train clm} wrote and the ids Hugging Face tokenizers
   * gives with it; ours are the same, and fitting the same corpus writes the same file.
   */
  @Test
  void charVocabularyInHuggingFaceFormGivesHuggingFacesIds() throws IOException {
    java.nio.file.Path fixture =
        io.github.transformers4j.api.testing.SharedData.require(
            "tokenizers/char-wordlevel/tokenizer.json");
    assertTrue(CharTokenizer.isCharVocabulary(fixture));
    CharTokenizer tok = CharTokenizer.load(fixture);
    com.google.gson.JsonObject expected =
        new com.google.gson.Gson()
            .fromJson(
                java.nio.file.Files.readString(fixture.resolveSibling("expected.json")),
                com.google.gson.JsonObject.class);
    for (com.google.gson.JsonElement e : expected.getAsJsonArray("cases")) {
      com.google.gson.JsonObject c = e.getAsJsonObject();
      String text = c.get("text").getAsString();
      int[] ids =
          new com.google.gson.Gson().fromJson(c.get("ids"), int[].class);
      assertArrayEquals(ids, tok.encode(text), text);
      assertEquals(c.get("decoded").getAsString(), tok.decode(ids), text);
    }
    String corpus =
        new String(
            java.util.Arrays.copyOf(
                java.nio.file.Files.readAllBytes(
                    io.github.transformers4j.api.testing.SharedData.require(
                        "data/tinyshakespeare.txt")),
                200_000),
            java.nio.charset.StandardCharsets.UTF_8);
    CharTokenizer.fit(corpus, CharTokenizer.UNKNOWN_ONLY).save(dir.resolve("fit.json"));
    assertEquals(
        java.nio.file.Files.readString(fixture), java.nio.file.Files.readString(dir.resolve("fit.json")));
    // A token that is not one character is refused, naming it.
    java.nio.file.Files.writeString(
        dir.resolve("bad.json"),
        java.nio.file.Files.readString(fixture).replace("\"a\": ", "\"ab\": "));
    var bad = assertThrows(IOException.class, () -> CharTokenizer.load(dir.resolve("bad.json")));
    assertTrue(bad.getMessage().contains("'ab'"), bad.getMessage());
  }

  @Test
  void unknownCharactersAreOneRuleAndOldVocabulariesStillLoad() throws IOException {
    // A causal LM's vocabulary: [UNK] first, then the characters in code point order.
    CharTokenizer lm = CharTokenizer.fit("ba", CharTokenizer.UNKNOWN_ONLY);
    assertEquals(3, lm.vocabSize());
    assertArrayEquals(new int[] {1, 2, 0}, lm.encode("ab?"));
    assertEquals("ab", lm.decode(lm.encode("ab?")));
    assertEquals(0, lm.specials().unk());
    assertEquals(-1, lm.specials().pad());
    assertEquals(List.of("'?' (U+3F)", "'¿' (U+BF)"), lm.unknownIn("a?b¿?"));
    lm.save(dir.resolve("lm.json"));
    assertArrayEquals(lm.encode("ab?"), CharTokenizer.load(dir.resolve("lm.json")).encode("ab?"));
    // The seq2seq/BERT vocabulary maps unknowns the same way, to its own [UNK].
    CharTokenizer full = CharTokenizer.fit("ba", true);
    assertEquals(full.specials().unk(), full.encode("?")[0]);
    // A vocabulary saved before causal LMs had [UNK] keeps its ids; an unseen character is an
    // error that names it and says what to do.
    java.nio.file.Files.writeString(
        dir.resolve("old.json"), "{\"type\":\"char\",\"specials\":[],\"chars\":[\"a\",\"b\"]}");
    CharTokenizer old = CharTokenizer.load(dir.resolve("old.json"));
    assertArrayEquals(new int[] {0, 1}, old.encode("ab"));
    assertFalse(old.hasUnknown());
    var e = assertThrows(IllegalArgumentException.class, () -> old.encode("a¿"));
    assertTrue(e.getMessage().contains("'¿' (U+BF)"), e.getMessage());
    assertTrue(e.getMessage().contains("no unknown token"), e.getMessage());
  }

  @Test
  void paddedBatchesHaveMasksAndShuffleBySeed() {
    List<Example> ex = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int[] in = new int[1 + i % 3];
      java.util.Arrays.fill(in, 10 + i);
      ex.add(new Example(in, new int[] {i}));
    }
    Batch b = ExampleBatches.pad(new Example[] {ex.get(0), ex.get(2)}, 0, -100);
    assertArrayEquals(new int[] {10, 0, 0, 12, 12, 12}, b.inputs().data());
    assertArrayEquals(new int[] {1, 0, 0, 1, 1, 1}, b.mask().data());
    assertEquals(4, b.tokens());
    ExampleBatches x = new ExampleBatches(ex, 3, 0, -100, 7, true);
    ExampleBatches y = new ExampleBatches(ex, 3, 0, -100, 7, true);
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Batch bx = x.next();
      assertArrayEquals(bx.targets().data(), y.next().targets().data());
      for (int l : bx.targets().data()) {
        seen.add(l);
      }
    }
    assertEquals(10, new java.util.HashSet<>(seen).size(), "one epoch visits every example once");
    var state = x.state();
    Batch next = x.next();
    y.restore(state);
    assertArrayEquals(next.inputs().data(), y.next().inputs().data());
    ExampleBatches other = new ExampleBatches(ex, 10, 0, -100, 8, true);
    ExampleBatches same = new ExampleBatches(ex, 10, 0, -100, 7, true);
    assertTrue(
        !java.util.Arrays.equals(other.next().targets().data(), same.next().targets().data()));
  }

  @Test
  void readersParseAndNameTheBadLine() throws IOException {
    Path tsv = Files.writeString(dir.resolve("p.tsv"), "one\t1\n\ntwo\t2\n");
    assertEquals(
        List.of(new Datasets.Pair("one", "1"), new Datasets.Pair("two", "2")),
        Datasets.readTsv(tsv));
    Path bad = Files.writeString(dir.resolve("bad.tsv"), "one\t1\nno tab here\n");
    var e = assertThrows(IOException.class, () -> Datasets.readTsv(bad));
    assertTrue(e.getMessage().contains("bad.tsv:2"), e.getMessage());
    Path jsonl =
        Files.writeString(
            dir.resolve("p.jsonl"), "{\"src\":\"a\",\"tgt\":\"b\"}\n{\"src\":\"c\"}\n");
    var j = assertThrows(IOException.class, () -> Datasets.readJsonl(jsonl, "src", "tgt"));
    assertTrue(
        j.getMessage().contains("p.jsonl:2") && j.getMessage().contains("'tgt'"), j.getMessage());
    Path conll =
        Files.writeString(
            dir.resolve("n.conll"), "-DOCSTART- O\n\nEU B-ORG\nrejects O\n\nPeter B-PER\n");
    var tagged = Datasets.readConll(conll);
    assertEquals(2, tagged.size());
    assertEquals(List.of("EU", "rejects"), tagged.get(0).tokens());
    assertEquals(List.of("B-PER"), tagged.get(1).tags());
    Files.createDirectories(dir.resolve("txt/sub"));
    Files.writeString(dir.resolve("txt/b.txt"), "B");
    Files.writeString(dir.resolve("txt/sub/a.txt"), "A");
    assertEquals("B\nA\n", Datasets.readText(dir.resolve("txt")));
  }

  @Test
  void splitIsSeededAndDisjoint() {
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      items.add(i);
    }
    var a = Datasets.split(items, 0.1, 3);
    var b = Datasets.split(items, 0.1, 3);
    assertEquals(a, b);
    assertEquals(90, a.train().size());
    assertEquals(10, a.val().size());
    assertTrue(a.val().stream().noneMatch(a.train()::contains));
    int[][] s = Datasets.splitStream(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.1);
    assertEquals(9, s[0].length);
  }

  @Test
  void blockSamplerResumesFromItsState() {
    int[] toks = new int[100];
    for (int i = 0; i < 100; i++) {
      toks[i] = i;
    }
    BlockSampler s = new BlockSampler(toks, 2, 8, 5);
    s.next();
    var st = s.state();
    Batch a = s.next();
    BlockSampler t = new BlockSampler(toks, 2, 8, 999);
    t.restore(st);
    assertArrayEquals(a.inputs().data(), t.next().inputs().data());
    assertEquals(9, a.inputs().cols());
    assertEquals(a.inputs().at(0, 0) + 8, a.inputs().at(0, 8)); // consecutive tokens
  }

  @Test
  void examplesAlignLabelsWithTokens() {
    CharTokenizer tok = CharTokenizer.fit("EU rejects 0123", true);
    var tagged = List.of(new Datasets.Tagged(List.of("EU", "rejects"), List.of("B-ORG", "O")));
    Example e = Datasets.tokenExamples(tagged, tok, List.of("O", "B-ORG")).get(0);
    assertEquals(10, e.input().length);
    assertArrayEquals(new int[] {1, -100, -100, 0, -100, -100, -100, -100, -100, -100}, e.target());
    Example s =
        Datasets.seq2seqExamples(List.of(new Datasets.Pair("EU", "01")), tok).get(0);
    assertEquals(tok.specials().eos(), s.target()[2]);
    var bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> Datasets.classificationExamples(List.of(new Datasets.Pair("EU", "x")), tok, List.of("y")));
    assertTrue(bad.getMessage().contains("'x'"), bad.getMessage());
  }
}
