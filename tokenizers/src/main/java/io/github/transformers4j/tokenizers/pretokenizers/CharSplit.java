package io.github.transformers4j.tokenizers.pretokenizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.PreTokenizer;
import io.github.transformers4j.tokenizers.Unicode;
import java.util.List;
import java.util.Map;

/**
 * The char-class splits of Hugging Face: {@code BertPreTokenizer} (whitespace removed, each
 * punctuation char isolated), {@code WhitespaceSplit} (whitespace removed) and {@code
 * Punctuation} (each punctuation char isolated).
 */
public final class CharSplit implements PreTokenizer {
  private final String type;
  private final boolean splitWhitespace;
  private final boolean isolatePunctuation;

  private CharSplit(String type, boolean splitWhitespace, boolean isolatePunctuation) {
    this.type = type;
    this.splitWhitespace = splitWhitespace;
    this.isolatePunctuation = isolatePunctuation;
  }

  /** BERT's split: on whitespace, and around every punctuation char. */
  public static CharSplit bert() {
    return new CharSplit("BertPreTokenizer", true, true);
  }

  /** A split on whitespace only. */
  public static CharSplit whitespace() {
    return new CharSplit("WhitespaceSplit", true, false);
  }

  /** Each punctuation char isolated. */
  public static CharSplit punctuation() {
    return new CharSplit("Punctuation", false, true);
  }

  @Override
  public void split(NormalizedString input, List<NormalizedString> out) {
    String t = input.text();
    int n = t.length();
    int start = 0;
    int i = 0;
    while (i < n) {
      int c = t.codePointAt(i);
      int k = Character.charCount(c);
      if (splitWhitespace && Unicode.isWhiteSpace(c)) {
        if (i > start) {
          out.add(input.slice(start, i));
        }
        start = i + k;
      } else if (isolatePunctuation && Unicode.isBertPunctuation(c)) {
        if (i > start) {
          out.add(input.slice(start, i));
        }
        out.add(input.slice(i, i + k));
        start = i + k;
      }
      i += k;
    }
    if (n > start) {
      out.add(input.slice(start, n));
    }
  }

  @Override
  public Map<String, Object> toJson() {
    return isolatePunctuation && !splitWhitespace
        ? Json.type(type, "behavior", "Isolated")
        : Json.type(type);
  }
}
