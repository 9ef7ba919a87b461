package io.github.transformers4j.tokenizers.normalizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces every match of a literal string or a regex with {@code content}; the replacement maps
 * to the original range of what it replaced.
 */
public final class Replace implements Normalizer {
  private final String literal;
  private final String regex;
  private final Pattern pattern;
  private final String content;

  private Replace(String literal, String regex, String content) {
    this.literal = literal;
    this.regex = regex;
    this.content = content;
    this.pattern =
        regex != null
            ? Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS)
            : Pattern.compile(Pattern.quote(literal));
  }

  /** Replaces the literal {@code from}. */
  public static Replace literal(String from, String content) {
    return new Replace(from, null, content);
  }

  /** Replaces matches of the regex {@code regex} (Unicode classes: {@code \s} is White_Space). */
  public static Replace regex(String regex, String content) {
    return new Replace(null, regex, content);
  }

  @Override
  public NormalizedString normalize(NormalizedString input) {
    return apply(input, pattern, content);
  }

  static NormalizedString apply(NormalizedString input, Pattern pattern, String content) {
    String text = input.text();
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      return input;
    }
    NormalizedString.Builder b = NormalizedString.builder(text.length());
    int last = 0;
    do {
      if (m.end() == m.start()) {
        continue;
      }
      b.append(input, last, m.start());
      // As Hugging Face: the replacement maps to the last char it replaces (checked against it
      // on Europarl with SentencePiece's collapsed spaces).
      b.append(content, input.originalStart(m.end() - 1), input.originalEnd(m.end() - 1));
      last = m.end();
    } while (m.find());
    b.append(input, last, text.length());
    return b.build();
  }

  @Override
  public Map<String, Object> toJson() {
    Map<String, Object> p = new LinkedHashMap<>();
    if (regex != null) {
      p.put("Regex", regex);
    } else {
      p.put("String", literal);
    }
    return Json.type("Replace", "pattern", p, "content", content);
  }
}
