package io.github.transformers4j.tokenizers.pretokenizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.PreTokenizer;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece's whitespace handling: spaces become {@code ▁}, a {@code ▁} is put in front
 * ("always", or "first" for the first piece only, or "never"), and with {@code split} the text is
 * cut before every {@code ▁}.
 *
 * @param replacement the char that stands for a space
 * @param prependScheme "always", "first" or "never"
 * @param split whether to cut before every replacement char
 */
public record Metaspace(char replacement, String prependScheme, boolean split)
    implements PreTokenizer {

  /** Validates the scheme. */
  public Metaspace {
    if (!List.of("always", "first", "never").contains(prependScheme)) {
      throw new IllegalArgumentException(
          "Metaspace prepend_scheme '" + prependScheme + "' (expected always, first or never)");
    }
  }

  @Override
  public void split(NormalizedString input, List<NormalizedString> out) {
    String t = input.text();
    int n = t.length();
    if (n == 0) {
      return;
    }
    NormalizedString.Builder b = NormalizedString.builder(n + 1);
    // As Hugging Face: spaces are replaced first, so text that starts with a space gets no extra one.
    boolean prepend =
        t.charAt(0) != replacement
            && t.charAt(0) != ' '
            && (prependScheme.equals("always")
                || (prependScheme.equals("first") && input.originalStart(0) == 0));
    if (prepend) {
      // As Hugging Face: the prepended char maps to the first char's range (both halves of a
      // surrogate pair, as Hugging Face's offsets count code points).
      int first = Character.charCount(t.codePointAt(0));
      b.append(replacement, input.originalStart(0), input.originalEnd(first - 1));
    }
    for (int i = 0; i < n; i++) {
      char c = t.charAt(i);
      b.append(c == ' ' ? replacement : c, input.originalStart(i), input.originalEnd(i));
    }
    NormalizedString s = b.build();
    if (!split) {
      out.add(s);
      return;
    }
    String m = s.text();
    int start = 0;
    for (int i = 1; i < m.length(); i++) {
      if (m.charAt(i) == replacement) {
        out.add(s.slice(start, i));
        start = i;
      }
    }
    out.add(s.slice(start, m.length()));
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type(
        "Metaspace",
        "replacement", String.valueOf(replacement),
        "prepend_scheme", prependScheme,
        "split", split);
  }
}
