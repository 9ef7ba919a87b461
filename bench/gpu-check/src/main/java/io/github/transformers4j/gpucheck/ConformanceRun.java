package io.github.transformers4j.gpucheck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the api's {@code BackendConformance} suite on one backend through the JUnit Platform
 * launcher (no Maven, no console launcher): every test method with JUnit's own semantics, one line
 * per test on {@code log}.
 */
final class ConformanceRun {
  private ConformanceRun() {}

  /** One test's outcome: {@code status} is PASSED, FAILED, ABORTED (an assumption) or SKIPPED. */
  record Outcome(String test, String status, double millis, String message) {}

  /** All outcomes, in the order the tests finished. */
  record Result(List<Outcome> outcomes, double seconds) {
    long count(String status) {
      return outcomes.stream().filter(o -> o.status().equals(status)).count();
    }

    boolean passed() {
      return count("FAILED") == 0 && count("PASSED") > 0;
    }
  }

  static Result run(String backend, PrintStream log) {
    CheckedConformance.backendName = backend;
    try {
      return run(CheckedConformance.class, log);
    } finally {
      CheckedConformance.closeOpened();
    }
  }

  /** Runs the JUnit Jupiter tests of {@code suite}. */
  static Result run(Class<?> suite, PrintStream log) {
    List<Outcome> outcomes = new ArrayList<>();
    Map<String, Long> started = new ConcurrentHashMap<>();
    TestExecutionListener listener =
        new TestExecutionListener() {
          @Override
          public void executionStarted(TestIdentifier id) {
            started.put(id.getUniqueId(), System.nanoTime());
          }

          @Override
          public void executionSkipped(TestIdentifier id, String reason) {
            if (id.isTest()) {
              add(new Outcome(id.getDisplayName(), "SKIPPED", 0, reason));
            }
          }

          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            Long t0 = started.remove(id.getUniqueId());
            double ms = t0 == null ? 0 : (System.nanoTime() - t0) / 1e6;
            String message =
                result.getThrowable().map(ConformanceRun::describe).orElse("");
            String status =
                switch (result.getStatus()) {
                  case SUCCESSFUL -> "PASSED";
                  case ABORTED -> "ABORTED";
                  case FAILED -> "FAILED";
                };
            // A failure outside a test (the class's setup) is reported too, or it would vanish.
            if (id.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
              add(new Outcome(id.getDisplayName(), status, ms, message));
            }
          }

          private synchronized void add(Outcome o) {
            outcomes.add(o);
            log.printf(
                Locale.ROOT,
                "  conformance %-7s %s (%.0f ms)%s%n",
                o.status(),
                o.test(),
                o.millis(),
                o.message().isEmpty() ? "" : ": " + o.message());
          }
        };
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(suite))
            .build();
    long t0 = System.nanoTime();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, listener);
    return new Result(List.copyOf(outcomes), (System.nanoTime() - t0) / 1e9);
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    String s = t.getClass().getSimpleName() + (m == null ? "" : ": " + m.strip());
    return s.length() > 400 ? s.substring(0, 400) + "…" : s;
  }
}
