package io.github.transformers4j.gpucheck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * A suite with one test of each outcome, for {@link ConformanceRunTest}. Its name does not match
 * Surefire's patterns, so only that test runs it.
 */
class PlantedSuite {
  @Test
  void passes() {
    assertEquals(4, 2 + 2);
  }

  @Test
  void fails() {
    assertEquals(5, 2 + 2, "planted failure");
  }

  @Test
  void aborts() {
    Assumptions.assumeTrue(false, "planted assumption");
  }

  @Test
  @Disabled("planted skip")
  void skipped() {}
}
