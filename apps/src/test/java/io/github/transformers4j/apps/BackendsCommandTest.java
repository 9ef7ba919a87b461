package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.registry.NamedRegistry;
import io.github.transformers4j.api.spi.BackendProvider;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/** {@code t4j backends} over the fake providers of the test class path. */
class BackendsCommandTest {

  @Test
  void listsEveryProviderByPriorityAndMarksTheDefault() {
    Cli.Run run = Cli.run("backends");
    assertEquals(0, run.code(), run::toString);
    List<String> lines = run.out().lines().toList();
    assertEquals("   NAME         PRIORITY  AVAILABLE  OPTIONS  PROBE", lines.get(0));
    assertTrue(lines.get(1).matches("[- ]+"), lines.get(1));
    assertEquals("   fake-gpu           50  no         device   no fake device here", lines.get(2));
    assertEquals(
        "*  fake               10  yes        threads  naive Java loops for tests", lines.get(3));
    assertEquals("   fake-plain          1  yes        -        no options", lines.get(4));
    assertEquals(
        "   fake-broken         0  yes        threads  drops a term of every dot product",
        lines.get(5));
    assertEquals("", lines.get(6));
    if (System.getenv(Backends.ENV) == null) {
      assertEquals("* default: fake (the available backend of highest priority)", lines.get(7));
    }
    assertEquals("", run.err());
  }

  @Test
  void kernelsListsEverySpiKernelInOrderWithWhereItRuns() {
    Cli.Run run = Cli.run("backends", "--kernels", "fake-broken");
    assertEquals(0, run.code(), run::toString);
    List<String> lines = run.out().lines().toList();
    List<String> names = io.github.transformers4j.api.ComputeBackend.kernelNames();
    assertEquals(names.size(), lines.size(), run::toString);
    for (int i = 0; i < names.size(); i++) {
      String where = names.get(i).equals("matmul") ? "host" : "device";
      assertEquals(names.get(i) + "\t" + where, lines.get(i));
    }
    assertEquals("fromHost\tdevice", lines.get(0));
    assertEquals("recurrentSequenceBackward\tdevice", lines.get(lines.size() - 1));

    run = Cli.run("backends", "--kernels", "fake");
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().lines().allMatch(l -> l.endsWith("\tdevice")), run::toString);
  }

  @Test
  void kernelsNeedsAKnownBackendThatCanRun() {
    Cli.Run run = Cli.run("backends", "--kernels", "gpu9");
    assertTrue(run.code() != 0, run::toString);
    assertTrue(run.err().contains("unknown backend 'gpu9'; available: ")
        && run.err().contains("fake-plain"), run::toString);
    assertTrue(!run.err().contains("Exception"), run::toString);

    run = Cli.run("backends", "--kernels", "fake-gpu");
    assertTrue(run.code() != 0, run::toString);
    assertTrue(run.err().contains("backend 'fake-gpu' cannot run here: no fake device here"),
        run::toString);

    run = Cli.run("backends", "--kernels");
    assertTrue(run.code() != 0, run::toString);
    assertTrue(run.err().contains("Missing required parameter for option '--kernels' (NAME)"),
        run::toString);
  }

  @Test
  void explicitBackendIsTheOneMarked() {
    Cli.Run run = Cli.run("backends", "--backend", "fake-plain");
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().contains("\n*  fake-plain "), run::toString);
    assertTrue(run.out().contains("* default: fake-plain (chosen with --backend)"), run::toString);
  }

  @Test
  @ResourceLock(Resources.SYSTEM_PROPERTIES)
  void systemPropertyChoosesTheDefault() {
    String before = System.getProperty(Backends.PROPERTY);
    try {
      System.setProperty(Backends.PROPERTY, "fake-plain");
      Cli.Run run = Cli.run("backends");
      assertTrue(run.out().contains("\n*  fake-plain "), run::toString);
      assertTrue(
          run.out().contains("* default: fake-plain (system property t4j.backend=fake-plain)"),
          run::toString);

      // A configured backend that cannot run falls back, and the listing says so.
      System.setProperty(Backends.PROPERTY, "fake-gpu");
      run = Cli.run("backends");
      assertEquals(0, run.code(), run::toString);
      assertTrue(run.out().contains("\n*  fake "), run::toString);
      assertTrue(
          run.out().contains("system property t4j.backend=fake-gpu cannot run here; fell back"),
          run::toString);
    } finally {
      if (before == null) {
        System.clearProperty(Backends.PROPERTY);
      } else {
        System.setProperty(Backends.PROPERTY, before);
      }
    }
  }

  @Test
  void noBackendInstalledIsReportedNotAnError() {
    Backends none = new Backends(NamedRegistry.<BackendProvider>of("backend", List.of()));
    Cli.Run run = Cli.run(new T4jModule(none), "backends");
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().startsWith("No compute backend is installed.\n"), run::toString);
    assertTrue(run.out().contains("default: none (no compute backend can run here"), run::toString);
  }

  @Test
  void findsProvidersThroughServiceLoader() {
    // The fakes are registered in the test META-INF/services file; the api registers "reference".
    Cli.Run run = Cli.runInstalled("backends");
    assertEquals(0, run.code(), run::toString);
    for (String name : List.of("fake", "fake-gpu", "fake-plain", "fake-broken", "reference")) {
      assertTrue(
          run.out().lines().anyMatch(l -> l.substring(3).startsWith(name + " ")),
          () -> name + " missing from\n" + run);
    }
  }

  @Test
  void unknownExplicitBackendIsAnError() {
    Cli.Run run = Cli.run("backends", "--backend", "nope");
    assertEquals(CliErrors.FAILURE, run.code(), run::toString);
    assertEquals(
        List.of("t4j: unknown backend 'nope'; available: fake, fake-broken, fake-gpu, fake-plain"),
        run.errLines());
  }
}
