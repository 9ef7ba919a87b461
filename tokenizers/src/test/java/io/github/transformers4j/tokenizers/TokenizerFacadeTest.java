package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import io.github.transformers4j.tokenizers.normalizers.BertNormalizer;
import io.github.transformers4j.tokenizers.normalizers.Lowercase;
import io.github.transformers4j.tokenizers.normalizers.UnicodeNormalizer;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The facade: pairs, templates, masks, offsets, truncation with stride, padding. */
class TokenizerFacadeTest {
  static Tokenizer bert;

  @BeforeAll
  static void load() throws IOException {
    bert = TokenizerFiles.load(Fixtures.tokenizers("bert-base-uncased/vocab.txt"));
  }

  @Test
  void pairTemplateTypeIdsMasksAndOffsets() {
    Encoding e = bert.encode("Héllo World", "again", true);
    assertArrayEquals(new int[] {101, 7592, 2088, 102, 2153, 102}, e.ids());
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1}, e.typeIds());
    assertArrayEquals(new int[] {1, 0, 0, 1, 0, 1}, e.specialTokensMask());
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1}, e.attentionMask());
    assertArrayEquals(new int[] {-1, 0, 0, -1, 1, -1}, e.sequenceIds());
    // Offsets into the original texts, accents and case notwithstanding.
    assertArrayEquals(new int[] {0, 0, 6, 0, 0, 0}, e.starts());
    assertArrayEquals(new int[] {0, 5, 11, 0, 5, 0}, e.ends());
  }

  @Test
  void offsetsSurviveNormalizationOfCjkAndAccents() {
    String text = "Ａｂ生活 déjà";
    Encoding e = bert.encode(text, null, false);
    for (int i = 0; i < e.size(); i++) {
      String surface = text.substring(e.start(i), e.end(i));
      assertTrue(!surface.isEmpty(), "token " + e.token(i) + " has no surface");
    }
    assertEquals("生", text.substring(e.start(e.size() - 4), e.end(e.size() - 4)));
    assertEquals("déjà", text.substring(e.start(e.size() - 1) - 2, e.end(e.size() - 1)));
  }

  @Test
  void truncationLongestFirstWithStrideAndOverflow() {
    Tokenizer t = bert.withTruncation(new Truncation(6, Truncation.Strategy.LONGEST_FIRST, 1, false));
    Encoding e = t.encode("one two three four five six", null, true);
    assertArrayEquals(new int[] {101, 2028, 2048, 2093, 2176, 102}, e.ids());
    // Windows of 4 tokens, overlapping by 1, each with the template around it.
    assertEquals(1, e.overflowing().size());
    assertArrayEquals(new int[] {101, 2176, 2274, 2416, 102}, e.overflowing().get(0).ids());
    Encoding pair = t.encode("one two three four five", "six", true);
    assertArrayEquals(new int[] {101, 2028, 2048, 102, 2416, 102}, pair.ids());
    Tokenizer onlyFirst = bert.withTruncation(new Truncation(6, Truncation.Strategy.ONLY_FIRST, 0, false));
    assertArrayEquals(new int[] {101, 2028, 2048, 102, 2416, 102}, onlyFirst.encode("one two three", "six", true).ids());
    Tokenizer left = bert.withTruncation(new Truncation(4, Truncation.Strategy.LONGEST_FIRST, 0, true));
    assertArrayEquals(new int[] {101, 2093, 2176, 102}, left.encode("one two three four").ids());
    IllegalArgumentException tooShort =
        assertThrows(IllegalArgumentException.class, () -> bert.withTruncation(Truncation.longestFirst(1)).encode("x"));
    assertTrue(tooShort.getMessage().contains("2 special tokens"), tooShort.getMessage());
  }

  @Test
  void paddingLongestFixedMultipleLeftAndRight() {
    Tokenizer t = bert.withPadding(Padding.longest(0, "[PAD]"));
    List<Encoding> b = t.encodeBatch(List.of("one", "one two three"));
    assertArrayEquals(new int[] {101, 2028, 102, 0, 0}, b.get(0).ids());
    assertArrayEquals(new int[] {1, 1, 1, 0, 0}, b.get(0).attentionMask());
    assertArrayEquals(new int[] {1, 0, 1, 1, 1}, b.get(0).specialTokensMask());
    Tokenizer fixedLeft = bert.withPadding(new Padding(6, 0, true, 0, "[PAD]", 0));
    assertArrayEquals(new int[] {0, 0, 0, 101, 2028, 102}, fixedLeft.encode("one").ids());
    Tokenizer multiple = bert.withPadding(new Padding(0, 4, false, 0, "[PAD]", 0));
    assertEquals(8, multiple.encodeBatch(List.of("one two three four five")).get(0).size());
  }

  @Test
  void specialTokensInTextAreMatchedAndSkippedOnDecode() {
    Encoding e = bert.encode("[CLS] hi [MASK]", null, false);
    assertArrayEquals(new int[] {101, 7632, 103}, e.ids());
    assertEquals("hi", bert.decode(e.ids(), true));
    assertEquals("[CLS] hi [MASK]", bert.decode(e.ids(), false));
  }

  @Test
  void normalizersKeepAlignment() {
    NormalizedString n = new UnicodeNormalizer(java.text.Normalizer.Form.NFKC).normalize(NormalizedString.of("ﬁx"));
    assertEquals("fix", n.text());
    assertEquals(0, n.originalStart(1));
    assertEquals(1, n.originalEnd(1));
    assertEquals(2, n.originalEnd(2));
    // No final-sigma rule, as Rust's per-char lowercase; İ becomes two chars.
    assertEquals("σσ i̇", new Lowercase().normalize(NormalizedString.of("ΣΣ İ")).text());
    NormalizedString b = BertNormalizer.uncased().normalize(NormalizedString.of("A\u0000生"));
    assertEquals("a 生 ", b.text());
    assertEquals(2, b.originalStart(2));
  }
}
