package io.github.transformers4j.tokenizers.pretokenizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.PreTokenizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits on a literal or a regex (Unicode classes: {@code \s} is White_Space), with a {@link
 * Behavior} for the matches; {@code invert} makes the matches the pieces and the rest the
 * delimiters (CLIP's split).
 */
public final class Split implements PreTokenizer {
  private final String literal;
  private final String regex;
  private final Pattern pattern;
  private final Behavior behavior;
  private final boolean invert;

  private Split(String literal, String regex, Behavior behavior, boolean invert) {
    this.literal = literal;
    this.regex = regex;
    this.behavior = behavior;
    this.invert = invert;
    this.pattern =
        regex != null
            ? Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS)
            : Pattern.compile(Pattern.quote(literal));
  }

  /** A split on the regex {@code regex}. */
  public static Split regex(String regex, Behavior behavior, boolean invert) {
    return new Split(null, regex, behavior, invert);
  }

  /** A split on the literal {@code s}. */
  public static Split literal(String s, Behavior behavior, boolean invert) {
    return new Split(s, null, behavior, invert);
  }

  @Override
  public void split(NormalizedString input, List<NormalizedString> out) {
    String text = input.text();
    Matcher m = pattern.matcher(text);
    int[] bounds = new int[16];
    boolean[] delim = new boolean[8];
    int count = 0;
    int last = 0;
    while (m.find()) {
      if (m.end() == m.start()) {
        continue;
      }
      if (count + 2 > delim.length) {
        delim = Arrays.copyOf(delim, delim.length * 2 + 2);
        bounds = Arrays.copyOf(bounds, delim.length * 2);
      }
      if (m.start() > last) {
        bounds[2 * count] = last;
        bounds[2 * count + 1] = m.start();
        delim[count++] = invert;
      }
      bounds[2 * count] = m.start();
      bounds[2 * count + 1] = m.end();
      delim[count++] = !invert;
      last = m.end();
    }
    if (count + 1 > delim.length) {
      delim = Arrays.copyOf(delim, delim.length + 1);
      bounds = Arrays.copyOf(bounds, delim.length * 2);
    }
    if (last < text.length()) {
      bounds[2 * count] = last;
      bounds[2 * count + 1] = text.length();
      delim[count++] = invert;
    }
    behavior.emit(input, bounds, delim, count, out);
  }

  @Override
  public Map<String, Object> toJson() {
    Map<String, Object> p = new LinkedHashMap<>();
    if (regex != null) {
      p.put("Regex", regex);
    } else {
      p.put("String", literal);
    }
    return Json.type("Split", "pattern", p, "behavior", behavior.json(), "invert", invert);
  }
}
