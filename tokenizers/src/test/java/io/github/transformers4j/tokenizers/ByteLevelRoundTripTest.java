package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property: byte-level BPE decodes what it encodes, on seeded random Unicode (ASCII, Latin, CJK,
 * Hangul, emoji, combining marks, controls, whitespace). A lone surrogate cannot be UTF-8; it is
 * encoded as U+FFFD's bytes, so it decodes to U+FFFD (as Rust strings, which cannot hold one).
 */
class ByteLevelRoundTripTest {
  private static final long SEED = 0x5EED_7A11L;

  @Test
  void decodeOfEncodeIsTheText() throws IOException {
    Tokenizer gpt2 = TokenizerFiles.load(Fixtures.tokenizers("gpt2/encoder.json"));
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int n = 0; n < 2000; n++) {
      String text = randomText(rnd, 1 + rnd.nextInt(60));
      String back = gpt2.decode(gpt2.encode(text).ids(), false);
      assertEquals(text, back, "seed " + SEED + " case " + n);
    }
  }

  @Test
  void loneSurrogatesDecodeToReplacementChar() throws IOException {
    Tokenizer gpt2 = TokenizerFiles.load(Fixtures.tokenizers("gpt2/encoder.json"));
    String text = "a\uD83Db\uDE00 c";
    Encoding e = gpt2.encode(text);
    assertEquals("a\uFFFDb\uFFFD c", gpt2.decode(e.ids(), false));
    // Offsets still cover the surrogate char itself.
    assertEquals(text.length(), e.end(e.size() - 1));
  }

  static String randomText(SplittableRandom rnd, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      int kind = rnd.nextInt(10);
      int cp =
          switch (kind) {
            case 0, 1 -> 0x20 + rnd.nextInt(0x5F); // printable ASCII
            case 2 -> " \t\n\r\u00a0\u3000".charAt(rnd.nextInt(6));
            case 3 -> 0xC0 + rnd.nextInt(0x180); // Latin
            case 4 -> 0x4E00 + rnd.nextInt(0x5000); // CJK
            case 5 -> 0xAC00 + rnd.nextInt(11172); // Hangul syllables
            case 6 -> 0x1F300 + rnd.nextInt(0x300); // emoji
            case 7 -> 0x300 + rnd.nextInt(0x70); // combining marks
            case 8 -> rnd.nextInt(0x20); // controls, NUL included
            default -> 0x370 + rnd.nextInt(0x200); // Greek, Cyrillic
          };
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  }
}
