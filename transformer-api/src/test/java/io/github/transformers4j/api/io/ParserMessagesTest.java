package io.github.transformers4j.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ParserMessagesTest {

  @Test
  void gsonsClassNamesAndTroubleshootingLinkAreDropped() {
    RuntimeException gson =
        new RuntimeException(
            "com.google.gson.stream.MalformedJsonException: Unterminated object at line 23 column"
                + " 38 path $.rescale_factor\nSee https://github.com/google/gson/blob/main/"
                + "Troubleshooting.md#malformed-json");
    assertEquals(
        "Unterminated object at line 23 column 38 path $.rescale_factor",
        ParserMessages.problem(gson, 150));
  }

  @Test
  void nestedClassNamesGoToo() {
    RuntimeException e =
        new RuntimeException(
            "com.google.gson.JsonSyntaxException: java.lang.NumberFormatException: For input"
                + " string: \"abc\"");
    assertEquals("For input string: \"abc\"", ParserMessages.problem(e, 150));
  }

  @Test
  void linesAreJoinedAndTheMessageIsCut() {
    assertEquals("a; b; c", ParserMessages.problem(new RuntimeException("  a\n b \r\n c  "), 150));
    assertEquals("abcd\u2026", ParserMessages.problem(new RuntimeException("abcdefgh"), 5));
    assertEquals("abcde", ParserMessages.problem(new RuntimeException("abcde"), 5));
    // A surrogate pair is not split by the cut.
    assertEquals(
        "abc\u2026", ParserMessages.problem(new RuntimeException("abc\ud83d\ude00xyz"), 5));
  }

  @Test
  void noMessageSaysMalformed() {
    assertEquals("malformed", ParserMessages.problem(new RuntimeException(), 150));
    assertEquals("malformed", ParserMessages.problem(new RuntimeException(" "), 150));
  }

  @Test
  void wordsThatAreNotQualifiedClassNamesAreKept() {
    assertEquals(
        "line 3: expected a number, Error: none",
        ParserMessages.problem(new RuntimeException("line 3: expected a number, Error: none"), 150));
  }
}
