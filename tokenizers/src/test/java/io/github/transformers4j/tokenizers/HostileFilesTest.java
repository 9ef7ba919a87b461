package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests of issue 12 (hardening), reader side: files crafted to hang, to allocate
 * gigabytes, to be silently misread, or to give messages that name no file. Each must fail fast
 * with one message that names the file and the problem, at most 300 characters long.
 */
class HostileFilesTest {
  @TempDir Path dir;

  /** Loads {@code file}; returns the message of the error it must give, after checking it. */
  private static String refused(Path file, String... mustContain) {
    return refused(file, file, mustContain);
  }

  /** As {@link #refused(Path, String...)}, where the message names {@code named}. */
  private static String refused(Path file, Path named, String... mustContain) {
    IOException e =
        assertThrows(
            IOException.class,
            () -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> TokenizerFiles.load(file)),
            () -> file + " was accepted");
    String m = e.getMessage();
    assertTrue(m.contains(named.toString()), () -> "names no " + named + ": " + m);
    assertTrue(m.length() <= 300, () -> m.length() + " characters: " + m);
    assertFalse(m.contains("Exception"), () -> "names a Java class: " + m);
    for (String s : mustContain) {
      assertTrue(m.contains(s), () -> "'" + s + "' missing from: " + m);
    }
    return m;
  }

  // --- SentencePiece .model: length prefixes near 2^63 made pos walk backwards (a hang)

  @ParameterizedTest
  @ValueSource(strings = {"7af6ffffffffffffff7f", "12f6ffffffffffffff7f", "0a0a0af6ffffffffffffff7f"})
  void sentencePieceLengthNear2To63IsAnErrorNotAHang(String hex) throws IOException {
    Path f = dir.resolve("x.model");
    Files.write(f, HexFormat.of().parseHex(hex));
    refused(f, "byte", "runs past the end");
  }

  @Test
  void sentencePieceHangAppendedToAValidModelIsAnError() throws IOException {
    byte[] valid = Files.readAllBytes(Fixtures.tokenizers("sentencepiece/test_model.model"));
    byte[] bad = HexFormat.of().parseHex("7af6ffffffffffffff7f");
    byte[] both = new byte[valid.length + bad.length];
    System.arraycopy(valid, 0, both, 0, valid.length);
    System.arraycopy(bad, 0, both, valid.length, bad.length);
    Path f = dir.resolve("appended.model");
    Files.write(f, both);
    // The key is at valid.length, the runaway length right after it.
    refused(f, "at byte " + (valid.length + 1), "length 9223372036854775798");
  }

  @Test
  void sentencePieceFieldNumberBeyondIntIsAnError() throws IOException {
    // Key 2^32 + (1 << 3 | 2): a truncating cast made it field 1 (a piece).
    Path f = dir.resolve("key.model");
    Files.write(f, HexFormat.of().parseHex("8a8080801000"));
    refused(f, "field number");
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "1e39", "-1e39", "Infinity"})
  void aUnigramScoreThatIsNotFiniteIsAnError(String score) throws IOException {
    Path f =
        tokenizerJson(
            "{\"type\":\"Unigram\",\"vocab\":[[\"<unk>\",0.0],[\"a\"," + score + "]],\"unk_id\":0}",
            "");
    // NaN and Infinity reach the reader as text (not a number), 1e39 as a float infinity.
    refused(f, "model.vocab[1]");
  }

  @Test
  void aSentencePieceScoreThatIsNotFiniteIsAnError() throws IOException {
    // piece { piece: "a" score: NaN (0x7fc00000) }
    Path f = dir.resolve("nan.model");
    Files.write(f, HexFormat.of().parseHex("0a080a0161150000c07f"));
    refused(f, "piece 0 has score NaN");
  }

  /**
   * A charsmap whose trie matches "a" with a replacement offset past its 2-byte blob: normalizing
   * "a" threw StringIndexOutOfBoundsException; such a value is now no match.
   */
  @Test
  void aCharsmapValueOutsideItsBlobIsNoMatchNotACrash() {
    int[] trie = new int[98];
    trie[0] = 0; // root: offset 0, so 'a' (0x61) leads to unit 97
    trie[97] = 0x61 | 1 << 8 | 96 << 10; // label 'a', has a leaf, offset 96: 97 ^ 96 = 1
    trie[1] = 1000; // the leaf's value: an offset into the blob, which has 2 bytes
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(4 + 4 * trie.length + 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(4 * trie.length);
    for (int u : trie) {
      b.putInt(u);
    }
    b.put((byte) 'b').put((byte) 0);
    io.github.transformers4j.tokenizers.normalizers.Precompiled p =
        new io.github.transformers4j.tokenizers.normalizers.Precompiled(b.array());
    assertEquals("xay", p.normalize(NormalizedString.of("xay")).text());
  }

  @Test
  void aCharsmapMatchWithinItsBlobIsReplaced() {
    int[] trie = new int[98];
    trie[97] = 0x61 | 1 << 8 | 96 << 10;
    trie[1] = 0; // the replacement at offset 0: "b"
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(4 + 4 * trie.length + 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(4 * trie.length);
    for (int u : trie) {
      b.putInt(u);
    }
    b.put((byte) 'b').put((byte) 0);
    io.github.transformers4j.tokenizers.normalizers.Precompiled p =
        new io.github.transformers4j.tokenizers.normalizers.Precompiled(b.array());
    assertEquals("xby", p.normalize(NormalizedString.of("xay")).text());
  }

  // --- vocabulary ids: exact integers below TokenModel.MAX_ID, one token per id

  @ParameterizedTest
  @ValueSource(
      strings = {"1099511627776", "1.5", "\"1\"", "2147483647", "2147483646", "1000000000", "-1",
        "null", "[1]", "\"abc\""})
  void vocabJsonIdThatIsNotASmallIntegerIsAnError(String id) throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": " + id + ", \"ab\": 2}");
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\n");
    refused(dir.resolve("vocab.json"), "'b'");
  }

  @Test
  void vocabJsonDuplicateIdIsAnError() throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 1}");
    Files.writeString(dir.resolve("merges.txt"), "a b\n");
    refused(dir.resolve("vocab.json"), "'b'", "'ab'", "same id 1");
  }

  private Path tokenizerJson(String model, String extra) throws IOException {
    Path f = dir.resolve("tokenizer.json");
    Files.writeString(
        f,
        "{\"version\":\"1.0\",\"added_tokens\":[],\"normalizer\":null,"
            + "\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},\"post_processor\":null,"
            + "\"decoder\":null"
            + extra
            + ",\"model\":"
            + model
            + "}");
    return f;
  }

  private static final String WORDS = "{\"type\":\"WordLevel\",\"vocab\":{\"<unk>\":0,\"hi\":1},\"unk_token\":\"<unk>\"}";

  @Test
  void theMinimalTokenizerJsonOfTheseTestsLoads() throws IOException {
    Tokenizer t = (Tokenizer) TokenizerFiles.load(tokenizerJson(WORDS, ""));
    assertEquals(1, t.encode("hi").ids()[0]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1099511627776", "1.5", "\"1\"", "2147483647", "2147483646", "1000000000"})
  void tokenizerJsonVocabIdThatIsNotASmallIntegerIsAnError(String id) throws IOException {
    Path f =
        tokenizerJson(
            "{\"type\":\"WordLevel\",\"vocab\":{\"<unk>\":0,\"hi\":" + id + "},\"unk_token\":\"<unk>\"}",
            "");
    refused(f, "'hi'");
  }

  @Test
  void tokenizerJsonDuplicateIdIsAnError() throws IOException {
    Path f =
        tokenizerJson(
            "{\"type\":\"WordLevel\",\"vocab\":{\"<unk>\":0,\"hi\":1,\"ho\":1},\"unk_token\":\"<unk>\"}",
            "");
    refused(f, "'hi'", "'ho'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2147483647", "2147483646", "1000000000", "1.5"})
  void addedTokenIdBeyondTheLimitIsAnError(String id) throws IOException {
    Path f = tokenizerJson(WORDS, "").resolveSibling("tokenizer.json");
    Files.writeString(
        f,
        Files.readString(f)
            .replace(
                "\"added_tokens\":[]",
                "\"added_tokens\":[{\"id\":" + id + ",\"content\":\"[X]\",\"special\":true}]"));
    refused(f, "added_tokens id");
  }

  @Test
  void fixedPaddingOfTwoBillionIsRefusedBeforeAllocating() throws IOException {
    Path f =
        tokenizerJson(
            WORDS,
            ",\"padding\":{\"strategy\":{\"Fixed\":2000000000},\"direction\":\"Right\","
                + "\"pad_to_multiple_of\":null,\"pad_id\":0,\"pad_type_id\":0,\"pad_token\":\"<unk>\"}");
    refused(f, "padding.strategy.Fixed", "1048576");
  }

  @Test
  void aNumberFieldHoldingTextNamesTheField() throws IOException {
    Path f =
        tokenizerJson(
            WORDS,
            ",\"truncation\":{\"max_length\":\"abc\",\"strategy\":\"LongestFirst\",\"stride\":0}");
    String m = refused(f, "truncation.max_length");
    assertFalse(m.contains("For input string"), m);
  }

  // --- merges files

  @ParameterizedTest
  @ValueSource(strings = {"", "#version: 0.2\n", "#version: 0.2\n\n\n"})
  void emptyOrVersionOnlyVocabBpeIsAnError(String content) throws IOException {
    Files.writeString(dir.resolve("encoder.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
    Files.writeString(dir.resolve("vocab.bpe"), content);
    refused(dir.resolve("encoder.json"), dir.resolve("vocab.bpe"), "no merges");
  }

  @Test
  void aLongMalformedMergesLineIsEchoedCut() throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
    Files.writeString(dir.resolve("merges.txt"), "a b\n" + "x".repeat(100_000) + "\n");
    String m = refused(dir.resolve("vocab.json"), dir.resolve("merges.txt"), "line 2", "\u2026");
    assertFalse(m.contains("x".repeat(101)), m);
  }

  @ParameterizedTest
  @ValueSource(strings = {" b", "a ", "a  b", " "})
  void anEmptyMergePairIsAnErrorNamingTheLine(String line) throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
    Files.writeString(dir.resolve("merges.txt"), "a b\n" + line + "\n");
    refused(dir.resolve("vocab.json"), dir.resolve("merges.txt"), "line 2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[\"\", \"b\"]", "[\"a\"]", "\"a \"", "[]", "{}"})
  void anEmptyMergePairInTokenizerJsonIsAnError(String merge) throws IOException {
    Path f =
        tokenizerJson(
            "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[" + merge + "]}", "");
    refused(f, "model.merges[0]");
  }

  @Test
  void notUtf8MergesNamesTheFile() throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
    Files.write(dir.resolve("merges.txt"), new byte[] {'a', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
    refused(dir.resolve("vocab.json"), dir.resolve("merges.txt"), "UTF-8");
  }

  @Test
  void notUtf8VocabJsonNamesTheFile() throws IOException {
    Files.write(dir.resolve("vocab.json"), new byte[] {'{', (byte) 0xff, '}'});
    Files.writeString(dir.resolve("merges.txt"), "a b\n");
    refused(dir.resolve("vocab.json"), "UTF-8");
  }

  @Test
  void mergesThatAreAFolderNameTheFolder() throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
    Files.createDirectories(dir.resolve("merges.txt"));
    refused(dir.resolve("vocab.json"), dir.resolve("merges.txt"), "folder");
  }

  @Test
  void aValidVocabAndMergesStillLoad() throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\n");
    Tokenizer t = (Tokenizer) TokenizerFiles.load(dir.resolve("vocab.json"));
    assertEquals(2, t.encode("ab").ids()[0]);
  }
}
