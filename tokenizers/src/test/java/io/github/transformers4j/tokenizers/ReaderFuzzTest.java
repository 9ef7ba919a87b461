package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.github.transformers4j.api.testing.Fuzz;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of the tokenizer file readers (issue 12): SentencePiece {@code .model}, {@code
 * tokenizer.json}, {@code vocab.json}, {@code merges.txt} and {@code vocab.txt}. Each starts from the seed corpus under
 * {@code testdata/fuzz/<target>/} (small valid files and the inputs that once broke a reader, all
 * of which run first as they are) and mutates it with {@link Fuzz}: bytes set, inserted, deleted
 * and duplicated, and "interesting" values (a length near 2^63, 2^31 - 1, 1.5, a string for a
 * number) spliced in.
 *
 * <p>The contract: every input gives a tokenizer that encodes and decodes a text (or says in a
 * short IllegalArgumentException why it cannot encode it), or an {@link IOException} whose message
 * names the file and is at most 300 characters; never another exception, an {@link Error}
 * (OutOfMemoryError, StackOverflowError) or more than 10 s. A failure names the fuzz seed, the try
 * and the input; a finding becomes a file of the seed corpus.
 */
class ReaderFuzzTest {

  private static final String TEXT = "Hi there, ab abb \u00e9t\u00e9 \u2581 <unk> 123";

  @Test
  void sentencePiece() throws IOException {
    Fuzz.run("sentencepiece", Fuzz.seeds("sentencepiece"), BINARY_SPLICES, false, b -> check("x.model", b));
  }

  /**
   * SentencePiece's own test model as the seed: most of its bytes are the precompiled charsmap
   * (nmt_nfkc), so most mutations land in the Darts trie and its replacement blob.
   */
  @Test
  void sentencePieceCharsmap() throws IOException {
    byte[] real = Files.readAllBytes(Fixtures.tokenizers("sentencepiece/test_model.model"));
    Fuzz.run("sentencepiece-charsmap", List.of(real), BINARY_SPLICES, false, b -> check("x.model", b));
  }

  @Test
  void tokenizerJson() throws IOException {
    Fuzz.run("tokenizer-json", Fuzz.seeds("tokenizer-json"), TEXT_SPLICES, true,
        b -> check("tokenizer.json", b));
  }

  @Test
  void vocabJson() throws IOException {
    Fuzz.run("vocab-json", Fuzz.seeds("vocab-json"), TEXT_SPLICES, true, b -> check("vocab.json", b));
  }

  @Test
  void mergesTxt() throws IOException {
    Fuzz.run("merges-txt", Fuzz.seeds("merges-txt"), TEXT_SPLICES, true, b -> check("merges.txt", b));
  }

  @Test
  void vocabTxt() throws IOException {
    Fuzz.run("vocab-txt", Fuzz.seeds("vocab-txt"), TEXT_SPLICES, true, b -> check("vocab.txt", b));
  }

  /** The valid seeds load, so mutations start from files that reach every part of a reader. */
  @Test
  void theValidSeedsLoad() throws IOException {
    Path fuzz = io.github.transformers4j.api.testing.SharedData.require("fuzz");
    for (String valid :
        List.of(
            "sentencepiece/tiny.model",
            "vocab-txt/vocab.txt",
            "tokenizer-json/bpe.json",
            "tokenizer-json/unigram.json",
            "tokenizer-json/wordlevel.json",
            "tokenizer-json/wordpiece.json")) {
      Tokenizer t = TokenizerFiles.load(fuzz.resolve(valid));
      assertTrue(t.encode("ab abb hi").ids().length > 0, valid);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The contract

  /**
   * Writes {@code input} as {@code name} in a fresh folder (with a valid partner file for
   * vocab.json and merges.txt) and loads it.
   */
  private static void check(String name, byte[] input) {
    Path dir;
    try {
      dir = Files.createTempDirectory("t4j-fuzz");
      Path file = dir.resolve(name);
      Files.write(file, input);
      if (name.equals("vocab.json")) {
        Files.write(dir.resolve("merges.txt"), Fuzz.seeds("merges-txt").get(1));
      } else if (name.equals("merges.txt")) {
        Files.write(dir.resolve("vocab.json"), Fuzz.seeds("vocab-json").get(2));
      }
      try {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> load(file), () -> describe(input));
      } finally {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.toList()) {
            Files.delete(f);
          }
        }
        Files.delete(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void load(Path file) {
    Tokenizer t;
    try {
      t = TokenizerFiles.load(file);
    } catch (IOException e) {
      String m = e.getMessage();
      String named = file.getFileName().toString().equals("vocab.json") ? file.getParent().toString() : file.toString();
      assertTrue(m != null && m.contains(named), () -> "names no file: " + m);
      assertTrue(m.length() <= 300, () -> m.length() + " characters: " + m);
      assertFalse(m.contains("Exception:"), () -> "a Java class in: " + m);
      return;
    } catch (Throwable e) {
      fail("not an IOException naming the file: " + e, e);
      return;
    }
    try {
      Encoding enc = t.encode(TEXT);
      t.decode(enc.ids(), false);
      t.decode(enc.ids(), true);
    } catch (IllegalArgumentException e) {
      // A loaded tokenizer may be unable to encode some text (a character outside a WordLevel
      // vocabulary whose unknown token is missing, as Hugging Face): that must be said plainly.
      String m = e.getMessage();
      assertTrue(m != null && m.length() <= 300 && !m.contains("Exception:"), () -> "encoding: " + m);
    } catch (Throwable e) {
      fail("loaded, but encoding fails: " + e, e);
    }
  }

  private static String describe(byte[] input) {
    String s = new String(input, StandardCharsets.ISO_8859_1);
    return "input " + (s.length() <= 300 ? s : s.substring(0, 300) + "...");
  }

  // ---------------------------------------------------------------------------------------------
  // Splices: values that broke readers or sit at a boundary

  private static final List<byte[]> BINARY_SPLICES =
      Fuzz.hex(
          "f6ffffffffffffffff7f", "ffffffff0f", "ffffffff07", "8080808010", "00", "ff", "0a00",
          "0aff01", "1800", "18ff01", "15ffffffff", "150000807f");

  private static final List<byte[]> TEXT_SPLICES =
      Fuzz.text(
          "2147483647", "2147483646", "1000000000", "1099511627776", "-1", "1.5", "1e400", "\"7\"",
          "\"abc\"", "null", "[]", "{}", "\"\"", " ", "\n", "[", "{", "\"", ",", "\\u0000",
          "\"type\"", "\"Fixed\"", "#version: 0.2\n", " b\n", "a \n", "\ud83d\ude00", "NaN",
          "-Infinity", "1e38", "-1e39");
}
