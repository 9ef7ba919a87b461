package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.transformers4j.api.testing.Fuzz;
import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Jazzer fuzz targets of the tokenizer file readers (issue 12): SentencePiece {@code .model},
 * {@code tokenizer.json}, {@code vocab.json} + {@code merges.txt}, {@code encoder.json} + {@code
 * vocab.bpe} and {@code vocab.txt}. Seeds (small valid files, SentencePiece's real test model for
 * its charsmap, the inputs that once broke a reader) and findings are the files of {@code
 * ReaderFuzzTestInputs/<method>/} in the test resources, written by {@code
 * testdata/fuzz/make_seeds.py}.
 *
 * <p>The contract ({@link Fuzz}): every input gives a tokenizer that encodes and decodes a text (or
 * says in a short IllegalArgumentException why it cannot encode it), or an {@link IOException}
 * whose message names the file in at most 300 characters; never another exception, an {@link
 * Error} (OutOfMemoryError, StackOverflowError) or more than 10 s.
 */
class ReaderFuzzTest {

  private static final String TEXT = "Hi there, ab abb \u00e9t\u00e9 \u2581 <unk> 123";

  @FuzzTest(maxDuration = "20s")
  void sentencePiece(byte[] input) {
    check(input, "x.model");
  }

  @FuzzTest(maxDuration = "20s")
  void tokenizerJson(byte[] input) {
    check(input, "tokenizer.json");
  }

  /** The vocabulary, a NUL byte, the merges: both files of a BPE tokenizer in one input. */
  @FuzzTest(maxDuration = "20s")
  void vocabJsonMergesTxt(byte[] input) {
    check(input, "vocab.json", "merges.txt");
  }

  /** GPT-2's names of the same pair: {@code encoder.json}, a NUL byte, {@code vocab.bpe}. */
  @FuzzTest(maxDuration = "20s")
  void encoderJsonVocabBpe(byte[] input) {
    check(input, "encoder.json", "vocab.bpe");
  }

  @FuzzTest(maxDuration = "20s")
  void vocabTxt(byte[] input) {
    check(input, "vocab.txt");
  }

  /** The valid seeds load, so mutations start from files that reach every part of a reader. */
  @Test
  void theValidSeedsLoad() throws IOException {
    for (String valid :
        List.of(
            "sentencePiece/tiny.model",
            "sentencePiece/test_model.model",
            "vocabTxt/vocab.txt",
            "tokenizerJson/bpe.json",
            "tokenizerJson/unigram.json",
            "tokenizerJson/wordlevel.json",
            "tokenizerJson/wordpiece.json")) {
      String name = valid.endsWith(".model") ? "x.model" : valid.substring(valid.indexOf('/') + 1);
      if (name.endsWith(".json")) {
        name = "tokenizer.json";
      }
      Path dir = Fuzz.folder();
      try {
        Tokenizer t = TokenizerFiles.load(Fuzz.write(dir, name, seed(valid)));
        assertTrue(t.encode("ab abb hi").ids().length > 0, valid);
      } finally {
        Fuzz.delete(dir);
      }
    }
    for (String pair : List.of("vocabJsonMergesTxt/valid", "encoderJsonVocabBpe/valid")) {
      byte[] both = seed(pair);
      int nul = indexOf(both, (byte) 0);
      Path dir = Fuzz.folder();
      try {
        boolean gpt2 = pair.startsWith("encoder");
        Fuzz.write(dir, gpt2 ? "vocab.bpe" : "merges.txt", Arrays.copyOfRange(both, nul + 1, both.length));
        Path vocab = Fuzz.write(dir, gpt2 ? "encoder.json" : "vocab.json", Arrays.copyOf(both, nul));
        Tokenizer t = TokenizerFiles.load(vocab);
        assertTrue(t.encode("ab a").ids().length > 0, pair);
      } finally {
        Fuzz.delete(dir);
      }
    }
  }

  private static byte[] seed(String relative) throws IOException {
    try (InputStream in = ReaderFuzzTest.class.getResourceAsStream("ReaderFuzzTestInputs/" + relative)) {
      return in.readAllBytes();
    }
  }

  private static int indexOf(byte[] b, byte v) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------
  // The contract

  /**
   * Writes {@code input} as {@code names[0]} in a fresh folder and loads it; with two names, the
   * input is split at its first NUL byte (none: the second file is empty).
   */
  private static void check(byte[] input, String... names) {
    Path dir = Fuzz.folder();
    try {
      Path file;
      if (names.length == 1) {
        file = Fuzz.write(dir, names[0], input);
      } else {
        int nul = indexOf(input, (byte) 0);
        int cut = nul < 0 ? input.length : nul;
        file = Fuzz.write(dir, names[0], Arrays.copyOf(input, cut));
        Fuzz.write(dir, names[1], Arrays.copyOfRange(input, Math.min(cut + 1, input.length), input.length));
      }
      Fuzz.within(() -> load(file, dir));
    } finally {
      Fuzz.delete(dir);
    }
  }

  private static void load(Path file, Path dir) {
    Tokenizer t;
    try {
      t = TokenizerFiles.load(file);
    } catch (IOException e) {
      Fuzz.requireRefusal(e, dir.toString());
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
      assertTrue(m != null && m.length() <= Fuzz.MAX_MESSAGE && !m.contains("Exception:"), () -> "encoding: " + m);
    }
  }
}
