package io.github.transformers4j.tokenizers.formats;

import com.google.gson.JsonElement;

/**
 * Keeps reader messages short: text from the file (a token, a line) is echoed at most {@value
 * #ECHO} characters, a whole message at most {@value #MAX} (a 200 MB line must not become a 200 MB
 * error line).
 */
final class Messages {
  /** The most characters of file content a message quotes. */
  static final int ECHO = 100;

  /** The most characters of a reader's message. */
  static final int MAX = 300;

  private Messages() {}

  /** {@code s} in quotes, cut to {@value #ECHO} characters with an ellipsis. */
  static String quote(String s) {
    return "'" + cut(s, ECHO) + "'";
  }

  /** A JSON value as the file has it, cut to {@value #ECHO} characters. */
  static String show(JsonElement e) {
    return e == null ? "nothing" : cut(e.toString(), ECHO);
  }

  private static final java.util.regex.Pattern CLASS_PREFIX =
      java.util.regex.Pattern.compile("\\b(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error):\\s*");

  /**
   * Gson's message of a syntax error without what is meant for developers: the Java class names it
   * puts in front ({@code com.google.gson.stream.MalformedJsonException: }) and its "See
   * https://..." troubleshooting line. What is left says what and where ("Expected ':' at line 1
   * column 231 path $.normalizer").
   */
  static String json(RuntimeException e) {
    String m = e.getMessage() == null ? "malformed JSON" : e.getMessage();
    m = CLASS_PREFIX.matcher(m).replaceAll("");
    int see = m.indexOf("\nSee ");
    if (see >= 0) {
      m = m.substring(0, see);
    }
    return m.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  /** {@code message} cut to {@value #MAX} characters. */
  static String clip(String message) {
    return message == null ? "" : cut(message, MAX);
  }

  static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int n = max - 1;
    if (Character.isHighSurrogate(s.charAt(n - 1))) {
      n--;
    }
    return s.substring(0, n) + "\u2026";
  }
}
