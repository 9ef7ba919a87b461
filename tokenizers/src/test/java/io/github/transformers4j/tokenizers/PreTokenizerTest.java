package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.tokenizers.pretokenizers.ByteLevel;
import io.github.transformers4j.tokenizers.pretokenizers.LucenePreTokenizer;
import io.github.transformers4j.tokenizers.pretokenizers.Metaspace;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** GPT-2's scanner against its regex; Lucene pre-tokenizers keep offsets into the original. */
class PreTokenizerTest {
  private static final Pattern GPT2 =
      Pattern.compile(
          "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
          Pattern.UNICODE_CHARACTER_CLASS);

  @Test
  void metaspacePrependsOnlyWhenTheTextDoesNotStartWithASpace() {
    Metaspace m = new Metaspace('\u2581', "always", true);
    List<NormalizedString> out = new ArrayList<>();
    m.split(NormalizedString.of("Hey  you"), out);
    assertEquals(List.of("\u2581Hey", "\u2581", "\u2581you"), out.stream().map(NormalizedString::text).toList());
    out.clear();
    // Hugging Face replaces spaces first, then prepends only if the text does not start with ▁.
    m.split(NormalizedString.of("  Hey"), out);
    assertEquals(List.of("\u2581", "\u2581Hey"), out.stream().map(NormalizedString::text).toList());
    assertEquals(0, out.get(0).originalStart(0));
    assertEquals(2, out.get(1).originalStart(1));
  }

  @Test
  void gpt2ScannerSplitsAsTheRegex() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int n = 0; n < 3000; n++) {
      String text = ByteLevelRoundTripTest.randomText(rnd, 1 + rnd.nextInt(40)).replace('\u0085', 'x');
      List<String> expected = new ArrayList<>();
      Matcher m = GPT2.matcher(text);
      while (m.find()) {
        expected.add(m.group());
      }
      List<String> actual = new ArrayList<>();
      for (int i = 0; i < text.length(); ) {
        int j = ByteLevel.nextEnd(text, i);
        actual.add(text.substring(i, j));
        i = j;
      }
      assertEquals(expected, actual, "case " + n + ": " + text);
    }
  }

  @Test
  void contractionsAndDigitsBeyondAsciiSplitAsTheRegex() {
    List<String> texts =
        List.of(
            "we're you've they'll it's I'm he'd don't",
            "'re've'll 'r 'v 'l 're 'rex 'vex 'llama x're",
            "abc\u0663\u0664def \u0663x \u00b2\u00b3y \u2163\u2164z \u0967\u0968\u0969 and \u00bd",
            "'\u0663 '' 's's 'S 'RE");
    for (String text : texts) {
      List<String> expected = new ArrayList<>();
      Matcher m = GPT2.matcher(text);
      while (m.find()) {
        expected.add(m.group());
      }
      List<String> actual = new ArrayList<>();
      for (int i = 0; i < text.length(); ) {
        int j = ByteLevel.nextEnd(text, i);
        actual.add(text.substring(i, j));
        i = j;
      }
      assertEquals(expected, actual, text);
    }
  }

  /**
   * A guard against quadratic time on long words. Tagged {@code not-in-pit}: its one assertion (the
   * last token ends at the end of the text) is checked, with every other offset, by the parity
   * tests, and PIT times mutants out against the time it measured without them anyway.
   */
  @Tag("not-in-pit")
  @Test
  void longWordsDoNotBlowUp() throws Exception {
    Tokenizer gpt2 = io.github.transformers4j.tokenizers.formats.TokenizerFiles.load(
        Fixtures.tokenizers("gpt2/encoder.json"));
    String longWord = "ab".repeat(50_000) + " " + "!?".repeat(50_000) + " ".repeat(100_000);
    Encoding e = gpt2.encode(longWord);
    assertEquals(longWord.length(), e.end(e.size() - 1));
  }

  static List<String> pieces(String analyzer, String text) {
    List<NormalizedString> out = new ArrayList<>();
    new LucenePreTokenizer(analyzer).split(NormalizedString.of(text), out);
    List<String> s = new ArrayList<>();
    for (NormalizedString p : out) {
      // Each piece is the original text at its offsets.
      assertEquals(text.substring(p.originalStart(0), p.originalEnd(p.length() - 1)), p.text());
      s.add(p.text());
    }
    return s;
  }

  @Test
  void luceneStandardWhitespaceKoreanAndCjkBigrams() {
    assertEquals(List.of("Hello", "world", "3.5"), pieces("standard", "Hello, world! 3.5"));
    assertEquals(List.of("Hello,", "world!"), pieces("whitespace", "Hello, world!"));
    List<String> ko = pieces("korean", "한국어는 교착어이다.");
    // Nori decomposes compounds (DISCARD mode keeps the parts only).
    assertEquals(List.of("한국", "어", "는", "교착", "어", "이", "다", "."), ko);
    assertEquals(List.of("生活", "活的", "的真"), pieces("cjk-bigram", "生活的真"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LucenePreTokenizer("nope"));
    assertTrue(e.getMessage().contains("standard, whitespace, korean, cjk-bigram"), e.getMessage());
  }

  @Test
  void offsetsSurviveANormalizerBeforeLucene() {
    NormalizedString n = io.github.transformers4j.tokenizers.normalizers.BertNormalizer.uncased()
        .normalize(NormalizedString.of("ÉCOLE  Ｔｏｋｙｏ"));
    List<NormalizedString> out = new ArrayList<>();
    new LucenePreTokenizer("standard").split(n, out);
    assertEquals("ecole", out.get(0).text());
    assertEquals(0, out.get(0).originalStart(0));
    assertEquals(5, out.get(0).originalEnd(out.get(0).length() - 1));
  }
}
