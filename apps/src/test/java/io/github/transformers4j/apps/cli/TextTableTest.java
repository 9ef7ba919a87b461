package io.github.transformers4j.apps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table's layout: a long last column wraps under itself within {@value TextTable#MAX_WIDTH}. */
class TextTableTest {
  @Test
  void longLastColumnWrapsUnderItself() {
    String probe =
        "OpenCL CPU device 'pthread-skylake-avx512-AMD EPYC' on platform 'Portable Computing"
            + " Language' (OpenCL 3.0 PoCL 3.1+debian  Linux, None+Asserts, RELOC, SPIR, LLVM"
            + " 15.0.6, SLEEF, DISTRO, POCL_DEBUG), 2 compute units, 22057 MiB";
    StringWriter s = new StringWriter();
    new TextTable("NAME", ">PRIORITY", "PROBE")
        .row("aparapi", 50, probe)
        .row("cpu", 100, "short")
        .print(new PrintWriter(s, true));
    List<String> lines = s.toString().lines().toList();
    int start = "aparapi  PRIORITY  ".length();
    assertEquals("NAME     PRIORITY  PROBE", lines.get(0));
    assertEquals("-".repeat(7) + "  " + "-".repeat(8) + "  " + "-".repeat(100 - start), lines.get(1));
    StringBuilder joined = new StringBuilder();
    int i = 2;
    for (; !lines.get(i).startsWith("cpu"); i++) {
      String line = lines.get(i);
      assertTrue(line.length() <= TextTable.MAX_WIDTH, line.length() + ": " + line);
      if (i > 2) {
        assertEquals(" ".repeat(start), line.substring(0, start), "continuation: " + line);
      }
      joined.append(joined.length() == 0 ? "" : " ").append(line.substring(start));
    }
    assertTrue(i > 3, "wrapped: " + s);
    assertEquals(probe.replace("  ", " "), joined.toString().replace("  ", " "));
    assertEquals("cpu           100  short", lines.get(i));
  }

  @Test
  void wrapCutsAWordLongerThanTheRoom() {
    assertEquals(List.of("abcde", "fgh"), TextTable.wrap("abcdefgh", 5));
    assertEquals(List.of("ab cd", "ef"), TextTable.wrap("ab cd ef", 5));
    assertEquals(List.of(""), TextTable.wrap("", 5));
  }
}
