package io.github.transformers4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The executors of the shared local session run on the {@code cpu} backend, not a fallback. */
class ExecutorBackendsTest {
  @Test
  void executorsRunTheCpuBackend() {
    List<ExecutorBackends.Report> reports = ExecutorBackends.probe(LocalSpark.session(), 4, "cpu");
    assertEquals(4, reports.size(), "one report per task");
    for (ExecutorBackends.Report r : reports) {
      System.out.println("[ExecutorBackendsTest] " + r);
      assertTrue(r.namedAvailable(), () -> "cpu backend unavailable on an executor: " + r);
      assertEquals("cpu", r.chosen(), () -> "the registry's default on an executor: " + r);
    }
  }

  @Test
  void theTestJvmHasEveryFlagSparkJvmFlagsLists() {
    // The surefire argLine (pom) and SparkJvmFlags (what the README tells spark-submit) are one list.
    List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (String flag : SparkJvmFlags.FLAGS) {
      assertTrue(args.contains(flag), () -> flag + " is missing from surefire's argLine: " + args);
    }
  }
}
