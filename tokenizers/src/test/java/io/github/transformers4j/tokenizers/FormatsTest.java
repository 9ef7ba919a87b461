package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.registry.NamedRegistry;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.api.spi.TokenizerProvider;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import io.github.transformers4j.tokenizers.models.CharLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed files fail naming the file and the problem; saving is atomic; the SPI finds types. */
class FormatsTest {
  @TempDir Path tmp;

  private String failure(Path p) {
    IOException e = assertThrows(IOException.class, () -> TokenizerFiles.load(p));
    assertTrue(e.getMessage().startsWith(p.getParent().toString()), e.getMessage());
    return e.getMessage();
  }

  @Test
  void malformedAndUnknownFilesNameTheFileAndTheProblem() throws IOException {
    assertTrue(failure(Files.writeString(tmp.resolve("x.bin"), "?")).contains("unknown tokenizer file type"));
    assertTrue(failure(Files.writeString(tmp.resolve("tokenizer.json"), "{\"version\": \"1.0\"}"))
        .contains("no \"model\""));
    assertTrue(failure(Files.writeString(tmp.resolve("t2.json"),
            "{\"model\": {\"type\": \"Magic\"}}")).contains("model type 'Magic' is not supported"));
    assertTrue(failure(Files.writeString(tmp.resolve("t3.json"),
            "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}, \"unk_token\": \"[UNK]\"}}"))
        .contains("'[UNK]' is not in the vocabulary"));
    assertTrue(failure(Files.writeString(tmp.resolve("t4.json"), "{not json")).contains("t4.json"));
    Path dir = Files.createDirectory(tmp.resolve("gpt"));
    Files.writeString(dir.resolve("encoder.json"), "{\"a\": 0, \"b\": 1}");
    Files.writeString(dir.resolve("vocab.bpe"), "#version: 0.2\na b\n");
    assertTrue(failure(dir.resolve("encoder.json"))
        .contains("vocab.bpe: BPE merge 0 'a b': merged token 'ab' is not in the vocabulary"));
    Files.write(tmp.resolve("bad.model"), new byte[] {0x0a, (byte) 0xff, 0x01});
    assertTrue(failure(tmp.resolve("bad.model")).contains("runs past the end"));
    assertTrue(failure(Files.write(tmp.resolve("v.txt.gz"), new byte[] {1, 2, 3})).contains("not a gzip file"));
    assertTrue(failure(tmp.resolve("missing.json")).contains("no such file"));
  }

  @Test
  void savedTokenizerJsonRoundTripsAndLeavesNoTempFiles() throws IOException {
    Tokenizer t = Tokenizer.builder(CharLevel.fromText("hello world")).build();
    Path out = tmp.resolve("c/tokenizer.json");
    HfTokenizerJson.save(t, out);
    HfTokenizerJson.save(t, out); // replaces
    try (var files = Files.list(out.getParent())) {
      assertEquals(1, files.count());
    }
    Tokenizer back = HfTokenizerJson.load(out);
    assertArrayEquals(t.encode("hello").ids(), back.encode("hello").ids());
    assertEquals(HfTokenizerJson.toJson(t), HfTokenizerJson.toJson(back));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.encode("hi!"));
    assertTrue(e.getMessage().contains("'i'"), e.getMessage());
  }

  /**
   * The char vocabulary {@code t4j train} writes (WordLevel, Split on {@code [\\s\\S]}, Fuse
   * decoder) gives Hugging Face tokenizers' ids and decoded text on every case of the fixture, and
   * survives our save and load unchanged.
   */
  @Test
  void charWordLevelTokenizerGivesHuggingFacesIdsAndRoundTrips() throws IOException {
    Path file = Fixtures.tokenizers("char-wordlevel/tokenizer.json");
    Tokenizer t = HfTokenizerJson.load(file);
    com.google.gson.JsonObject expected =
        new com.google.gson.Gson()
            .fromJson(
                Files.readString(file.resolveSibling("expected.json")),
                com.google.gson.JsonObject.class);
    Path saved = tmp.resolve("again/tokenizer.json");
    HfTokenizerJson.save(t, saved);
    Tokenizer back = HfTokenizerJson.load(saved);
    int cases = 0;
    for (com.google.gson.JsonElement e : expected.getAsJsonArray("cases")) {
      com.google.gson.JsonObject c = e.getAsJsonObject();
      String text = c.get("text").getAsString();
      int[] ids = new com.google.gson.Gson().fromJson(c.get("ids"), int[].class);
      assertArrayEquals(ids, t.encode(text).ids(), text);
      assertArrayEquals(ids, back.encode(text).ids(), text);
      assertEquals(c.get("decoded").getAsString(), t.decode(ids, true), text);
      cases++;
    }
    assertEquals(5, cases);
    assertEquals(HfTokenizerJson.toJson(t), HfTokenizerJson.toJson(back));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HfTokenizerJson.parse(
                        "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0},"
                            + " \"unk_token\": \"[UNK]\"}}",
                        "t.json")
                    .encode("b"));
    assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("[UNK]"), e.getMessage());
  }

  @Test
  void providersAreFoundByNameThroughTheApi() throws IOException {
    NamedRegistry<TokenizerProvider> reg = io.github.transformers4j.api.registry.Tokenizers.installed();
    assertEquals(
        java.util.List.of("auto", "bert-wordpiece", "clip-bpe", "gpt2-bpe", "hf-json", "sentencepiece"),
        java.util.List.copyOf(reg.names()));
    TextTokenizer bert = reg.forName("bert-wordpiece").load(Fixtures.tokenizers("bert-base-uncased"));
    assertArrayEquals(new int[] {101, 7592, 102}, bert.encodeIds("hello"));
    assertEquals("hello", bert.decodeIds(bert.encodeIds("hello"), true));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reg.forName("bpe"));
    assertTrue(e.getMessage().contains("available: auto, bert-wordpiece"), e.getMessage());
  }
}
