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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzz targets of the tokenizer file readers (issue 12): SentencePiece {@code .model}, {@code
 * tokenizer.json}, {@code vocab.json} and {@code merges.txt}. Each starts from the seed corpus under
 * {@code testdata/fuzz/<target>/} (small valid files and the inputs that once broke a reader, all
 * of which {@link #everySeed} runs as they are) and mutates it: bytes set, inserted, deleted and
 * duplicated, and "interesting" values (a length near 2^63, 2^31 - 1, 1.5, a string for a number)
 * spliced in.
 *
 * <p>The contract: every input gives a tokenizer that encodes and decodes a text (or says in a
 * short IllegalArgumentException why it cannot encode it), or an {@link IOException} whose message
 * names the file and is at most 300 characters; never another exception, an {@link Error} (OutOfMemoryError, StackOverflowError) or more than 10 s. jqwik picks
 * a new seed each run and prints it with a failure; a finding becomes a file of the seed corpus.
 */
class ReaderFuzzTest {

  private static final String TEXT = "Hi there, ab abb \u00e9t\u00e9 \u2581 <unk> 123";

  @Property
  void sentencePiece(@ForAll("sentencePieceInputs") byte[] input) {
    check("x.model", input);
  }

  @Property
  void tokenizerJson(@ForAll("tokenizerJsonInputs") byte[] input) {
    check("tokenizer.json", input);
  }

  @Property
  void vocabJson(@ForAll("vocabJsonInputs") byte[] input) {
    check("vocab.json", input);
  }

  @Property
  void mergesTxt(@ForAll("mergesTxtInputs") byte[] input) {
    check("merges.txt", input);
  }

  /** Each seed file as it is (the regression inputs among them). */
  @Property(tries = 1)
  void everySeed() throws IOException {
    for (String target : List.of("sentencepiece", "tokenizer-json", "vocab-json", "merges-txt")) {
      for (byte[] seed : seeds(target)) {
        check(fileName(target), seed);
      }
    }
  }

  /** The valid seeds load, so mutations start from files that reach every part of a reader. */
  @Property(tries = 1)
  void theValidSeedsLoad() throws IOException {
    Path fuzz = io.github.transformers4j.api.testing.SharedData.require("fuzz");
    for (String valid :
        List.of(
            "sentencepiece/tiny.model",
            "tokenizer-json/bpe.json",
            "tokenizer-json/unigram.json",
            "tokenizer-json/wordlevel.json",
            "tokenizer-json/wordpiece.json")) {
      Tokenizer t = TokenizerFiles.load(fuzz.resolve(valid));
      assertTrue(t.encode("ab abb hi").ids().length > 0, valid);
    }
  }

  @Provide
  Arbitrary<byte[]> sentencePieceInputs() throws IOException {
    return mutations(seeds("sentencepiece"), BINARY);
  }

  @Provide
  Arbitrary<byte[]> tokenizerJsonInputs() throws IOException {
    return mutations(seeds("tokenizer-json"), TEXTUAL);
  }

  @Provide
  Arbitrary<byte[]> vocabJsonInputs() throws IOException {
    return mutations(seeds("vocab-json"), TEXTUAL);
  }

  @Provide
  Arbitrary<byte[]> mergesTxtInputs() throws IOException {
    return mutations(seeds("merges-txt"), TEXTUAL);
  }

  private static String fileName(String target) {
    return switch (target) {
      case "sentencepiece" -> "x.model";
      case "tokenizer-json" -> "tokenizer.json";
      case "vocab-json" -> "vocab.json";
      default -> "merges.txt";
    };
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
        Files.write(dir.resolve("merges.txt"), seeds("merges-txt").get(1));
      } else if (name.equals("merges.txt")) {
        Files.write(dir.resolve("vocab.json"), seeds("vocab-json").get(2));
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
  // Seeds and mutations

  private static List<byte[]> seeds(String target) throws IOException {
    Path dir = io.github.transformers4j.api.testing.SharedData.require("fuzz/" + target);
    List<byte[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        out.add(Files.readAllBytes(f));
      }
    }
    // The valid partner files the checks above use are the first valid seed of each: keep order.
    return out;
  }

  private static final boolean BINARY = true;
  private static final boolean TEXTUAL = false;

  /** Byte strings that broke readers or sit at a boundary. */
  private static final List<byte[]> BINARY_SPLICES =
      List.of(
          hex("f6ffffffffffffffff7f"),
          hex("ffffffff0f"),
          hex("ffffffff07"),
          hex("8080808010"),
          hex("00"),
          hex("ff"),
          hex("0a00"),
          hex("0aff01"),
          hex("1800"),
          hex("18ff01"),
          hex("15ffffffff"),
          hex("150000807f"));

  private static final List<String> TEXT_SPLICES =
      List.of(
          "2147483647", "2147483646", "1000000000", "1099511627776", "-1", "1.5", "1e400", "\"7\"",
          "\"abc\"", "null", "[]", "{}", "\"\"", " ", "\n", "[", "{", "\"", ",", "\\u0000",
          "\"type\"", "\"Fixed\"", "#version: 0.2\n", " b\n", "a \n", "\ud83d\ude00", "NaN",
          "-Infinity", "1e38", "-1e39");

  private static byte[] hex(String h) {
    return java.util.HexFormat.of().parseHex(h);
  }

  private static Arbitrary<byte[]> mutations(List<byte[]> seeds, boolean binary) {
    return Combinators.combine(
            Arbitraries.of(seeds), Arbitraries.integers().between(1, 4), Arbitraries.randoms())
        .as((seed, n, random) -> mutate(seed, n, random, binary));
  }

  private static byte[] mutate(byte[] seed, int n, Random r, boolean binary) {
    byte[] b = seed.clone();
    for (int k = 0; k < n; k++) {
      int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
      switch (r.nextInt(6)) {
        case 0 -> { // set one byte
          if (b.length > 0) {
            b[Math.min(at, b.length - 1)] = binary ? (byte) r.nextInt(256) : (byte) (32 + r.nextInt(95));
          }
        }
        case 1 -> b = splice(b, at, 0, pick(r, binary)); // insert
        case 2 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(8)), new byte[0]); // delete
        case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(12)), pick(r, binary)); // replace
        case 4 -> b = java.util.Arrays.copyOf(b, at); // truncate
        default -> { // duplicate a range
          int len = Math.min(b.length - at, 1 + r.nextInt(32));
          b = splice(b, at, 0, java.util.Arrays.copyOfRange(b, at, at + len));
        }
      }
    }
    return b;
  }

  private static byte[] pick(Random r, boolean binary) {
    if (binary) {
      return BINARY_SPLICES.get(r.nextInt(BINARY_SPLICES.size()));
    }
    return TEXT_SPLICES.get(r.nextInt(TEXT_SPLICES.size())).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }
}
