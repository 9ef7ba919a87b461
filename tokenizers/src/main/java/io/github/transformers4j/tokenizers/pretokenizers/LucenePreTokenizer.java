package io.github.transformers4j.tokenizers.pretokenizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.PreTokenizer;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.ko.KoreanTokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

/**
 * Pre-tokenization by a Lucene analyzer: each token's {@link OffsetAttribute} selects the piece of
 * the normalized text, so offsets into the original survive whatever the analyzer does to the term
 * text. Analyzers: {@code standard} (Unicode word boundaries, UAX #29), {@code whitespace}, {@code
 * korean} (Nori morphological analysis, compounds decomposed, punctuation kept) and {@code
 * cjk-bigram} (standard, then overlapping bigrams of Han, Hiragana, Katakana and Hangul: pieces
 * overlap, as bigrams do).
 *
 * <p>Lucene drops what is not a token (whitespace, and for {@code standard} punctuation), so the
 * pieces need not cover the text. Not a Hugging Face type: {@code tokenizer.json} files that use
 * it load only here.
 */
public final class LucenePreTokenizer implements PreTokenizer {
  /** The analyzer names this class knows. */
  public static final List<String> NAMES = List.of("standard", "whitespace", "korean", "cjk-bigram");

  private final String name;
  private final Analyzer analyzer;

  /**
   * The pre-tokenizer of the analyzer {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public LucenePreTokenizer(String name) {
    this.name = name;
    this.analyzer = analyzer(name);
  }

  private static Analyzer analyzer(String name) {
    switch (name) {
      case "standard":
        return new Analyzer() {
          @Override
          protected TokenStreamComponents createComponents(String field) {
            return new TokenStreamComponents(new StandardTokenizer());
          }
        };
      case "whitespace":
        return new Analyzer() {
          @Override
          protected TokenStreamComponents createComponents(String field) {
            return new TokenStreamComponents(new WhitespaceTokenizer());
          }
        };
      case "korean":
        return new Analyzer() {
          @Override
          protected TokenStreamComponents createComponents(String field) {
            // Decompounded parts only (no overlapping compound), punctuation kept as pieces.
            return new TokenStreamComponents(
                new KoreanTokenizer(
                    TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY,
                    null,
                    KoreanTokenizer.DecompoundMode.DISCARD,
                    false,
                    false));
          }
        };
      case "cjk-bigram":
        return new Analyzer() {
          @Override
          protected TokenStreamComponents createComponents(String field) {
            StandardTokenizer source = new StandardTokenizer();
            return new TokenStreamComponents(source, new CJKBigramFilter(source));
          }
        };
      default:
        throw new IllegalArgumentException(
            "unknown Lucene pre-tokenizer '" + name + "'; available: " + String.join(", ", NAMES));
    }
  }

  /** The analyzer's name. */
  public String name() {
    return name;
  }

  @Override
  public void split(NormalizedString input, List<NormalizedString> out) {
    String text = input.text();
    try (TokenStream ts = analyzer.tokenStream("text", new StringReader(text))) {
      OffsetAttribute off = ts.addAttribute(OffsetAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        int s = Math.max(0, Math.min(off.startOffset(), text.length()));
        int e = Math.max(s, Math.min(off.endOffset(), text.length()));
        if (e > s && !blank(text, s, e)) { // Nori keeps spaces as "punctuation" tokens
          out.add(input.slice(s, e));
        }
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException("Lucene analyzer '" + name + "' failed", e);
    }
  }

  private static boolean blank(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!io.github.transformers4j.tokenizers.Unicode.isWhiteSpace(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("Lucene", "analyzer", name);
  }
}
