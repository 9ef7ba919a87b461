package io.github.transformers4j.gpucheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The launcher outside Maven reports each outcome JUnit knows, with its message. */
class ConformanceRunTest {
  @Test
  void everyOutcomeIsRecordedAndAFailureFailsTheRun() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ConformanceRun.Result r =
        ConformanceRun.run(PlantedSuite.class, new PrintStream(buf, true, StandardCharsets.UTF_8));
    Map<String, String> status =
        r.outcomes().stream()
            .collect(Collectors.toMap(ConformanceRun.Outcome::test, ConformanceRun.Outcome::status));
    assertEquals(
        Map.of(
            "passes()", "PASSED", "fails()", "FAILED", "aborts()", "ABORTED", "skipped()", "SKIPPED"),
        status);
    assertFalse(r.passed(), "a failed test must fail the run");
    String log = buf.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("FAILED  fails()") && log.contains("planted failure"), log);
    assertTrue(log.contains("planted assumption") && log.contains("planted skip"), log);
  }

  @Test
  void aRunWithNothingPassedIsNotAPass() {
    assertFalse(new ConformanceRun.Result(java.util.List.of(), 0).passed());
  }
}
