package io.github.transformers4j.api.io;

import java.util.regex.Pattern;

/**
 * Turns a parser's exception message (Gson's, the JDK's number parsing) into text a user can act
 * on, for a reader to put after the file's name: without the Java class names parsers put in front
 * ({@code com.google.gson.stream.MalformedJsonException: }, {@code java.lang.NumberFormatException:
 * }), without Gson's "See https://..." troubleshooting line, on one line and cut to a length.
 */
public final class ParserMessages {
  private static final Pattern CLASS_PREFIX =
      Pattern.compile("\\b(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error):\\s*");

  private ParserMessages() {}

  /**
   * What {@code e} says went wrong, cut to {@code max} characters with an ellipsis ("Expected ':'
   * at line 1 column 231 path $.normalizer", "For input string: \"abc\"").
   */
  public static String problem(Throwable e, int max) {
    String m = e.getMessage() == null || e.getMessage().isBlank() ? "malformed" : e.getMessage();
    m = CLASS_PREFIX.matcher(m).replaceAll("");
    int see = m.indexOf("\nSee ");
    if (see >= 0) {
      m = m.substring(0, see);
    }
    m = m.strip().replaceAll("\\s*\\R\\s*", "; ");
    if (m.length() <= max) {
      return m;
    }
    int n = max - 1;
    if (Character.isHighSurrogate(m.charAt(n - 1))) {
      n--;
    }
    return m.substring(0, n) + "\u2026";
  }
}
