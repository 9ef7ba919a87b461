package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.apps.cli.VersionProvider;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exit codes, one-line errors, help and version of {@code t4j}. */
class CliTest {

  @Test
  void versionComesFromTheBuildAndNamesTheJvm() {
    for (String[] args :
        List.of(
            new String[] {"--version"},
            new String[] {"backends", "--version"},
            new String[] {"bench", "gemm", "--version"})) {
      Cli.Run run = Cli.run(args);
      assertEquals(0, run.code(), run::toString);
      String first = run.out().lines().findFirst().orElse("");
      assertTrue(first.matches("t4j \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), first);
      assertEquals(VersionProvider.projectVersion(), first.substring("t4j ".length()));
      assertTrue(run.out().contains("Java " + Runtime.version()), run::toString);
      assertEquals("", run.err());
    }
  }

  @Test
  void helpListsSubcommandsAndGlobalOptions() {
    Cli.Run run = Cli.run("--help");
    assertEquals(0, run.code(), run::toString);
    for (String s :
        List.of(
            "Usage: t4j",
            "backends",
            "bench",
            "--backend=NAME",
            "--threads=N",
            "--verbose",
            "--version")) {
      assertTrue(run.out().contains(s), () -> "missing " + s + " in\n" + run);
    }
  }

  @Test
  void subcommandHelpShowsItsOwnAndTheInheritedOptions() {
    Cli.Run run = Cli.run("bench", "gemm", "--help");
    assertEquals(0, run.code(), run::toString);
    for (String s :
        List.of(
            "Usage: t4j bench gemm",
            "--sizes",
            "--threads-list",
            "--repeats",
            "--json",
            "--backend=NAME",
            "--threads=N")) {
      assertTrue(run.out().contains(s), () -> "missing " + s + " in\n" + run);
    }
  }

  @Test
  void unknownBackendIsOneLineListingTheInstalledOnes() {
    Cli.Run run = Cli.run("bench", "gemm", "--backend", "foo", "--sizes", "4");
    assertEquals(CliErrors.FAILURE, run.code(), run::toString);
    assertEquals(
        List.of("t4j: unknown backend 'foo'; available: fake, fake-broken, fake-gpu, fake-plain"),
        run.errLines());
    assertEquals("", run.out());
  }

  @Test
  void verboseAddsTheStackTrace() {
    Cli.Run run = Cli.run("--verbose", "bench", "gemm", "--backend", "foo", "--sizes", "4");
    assertEquals(CliErrors.FAILURE, run.code(), run::toString);
    List<String> lines = run.errLines();
    assertEquals(
        "t4j: unknown backend 'foo'; available: fake, fake-broken, fake-gpu, fake-plain",
        lines.get(0));
    assertTrue(
        lines.size() > 3 && lines.stream().anyMatch(l -> l.strip().startsWith("at ")),
        run::toString);
  }

  @Test
  void unavailableBackendNamedExplicitlySaysWhy() {
    Cli.Run run = Cli.run("--backend", "fake-gpu", "bench", "gemm", "--sizes", "4");
    assertEquals(CliErrors.FAILURE, run.code(), run::toString);
    assertEquals(
        List.of("t4j: backend 'fake-gpu' cannot run here: no fake device here"), run.errLines());
  }

  @Test
  void unknownOptionIsAUsageErrorOnOneLine() {
    Cli.Run run = Cli.run("bench", "gemm", "--bogus");
    assertEquals(CliErrors.USAGE, run.code(), run::toString);
    assertEquals(
        List.of("t4j: Unknown option: '--bogus' (see 't4j bench gemm --help')"), run.errLines());
  }

  @Test
  void misspelledSubcommandGetsASuggestion() {
    Cli.Run run = Cli.run("backend");
    assertEquals(CliErrors.USAGE, run.code(), run::toString);
    assertEquals(1, run.errLines().size(), run::toString);
    assertTrue(run.err().contains("did you mean backends"), run::toString);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "two", "1.5", ""})
  void badThreadCountIsAUsageErrorOnOneLine(String threads) {
    Cli.Run run = Cli.run("--threads", threads, "backends");
    assertEquals(CliErrors.USAGE, run.code(), run::toString);
    assertEquals(
        List.of(
            "t4j: Invalid value for option '--threads': '"
                + threads
                + "' is not a positive integer (see 't4j --help')"),
        run.errLines());
  }

  @Test
  void badEntryInAThreadListIsAUsageError() {
    Cli.Run run = Cli.run("bench", "gemm", "--threads-list", "1,0");
    assertEquals(CliErrors.USAGE, run.code(), run::toString);
    assertEquals(1, run.errLines().size(), run::toString);
    assertTrue(
        run.err().startsWith("t4j: Invalid value for option '--threads-list'"), run::toString);
  }

  @Test
  void missingSubcommandIsAUsageError() {
    for (String[] args : List.of(new String[0], new String[] {"bench"})) {
      Cli.Run run = Cli.run(args);
      assertEquals(CliErrors.USAGE, run.code(), run::toString);
      assertEquals(1, run.errLines().size(), run::toString);
      assertTrue(run.err().startsWith("t4j: Missing required subcommand"), run::toString);
    }
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheSubcommand() {
    String[][] forms = {
      {
        "--backend",
        "fake-plain",
        "bench",
        "gemm",
        "--sizes",
        "3",
        "--repeats",
        "1",
        "--warmup-ms",
        "0"
      },
      {
        "bench",
        "--backend",
        "fake-plain",
        "gemm",
        "--sizes",
        "3",
        "--repeats",
        "1",
        "--warmup-ms",
        "0"
      },
      {
        "bench",
        "gemm",
        "--backend",
        "fake-plain",
        "--sizes",
        "3",
        "--repeats",
        "1",
        "--warmup-ms",
        "0"
      },
    };
    for (String[] args : forms) {
      Cli.Run run = Cli.run(args);
      assertEquals(0, run.code(), run::toString);
      assertTrue(run.out().startsWith("backend: fake-plain "), run::toString);
    }
  }

  @Test
  void describeKeepsMessagesOnOneLineAndNamesNoJavaClass() {
    assertEquals("a; b", CliErrors.describe(new IllegalStateException("a\n  b")));
    assertEquals(
        "internal error; run again with --verbose for the details and please report them",
        CliErrors.describe(new NullPointerException()));
    assertEquals(
        "internal error; run again with --verbose for the details and please report them",
        CliErrors.describe(new ClassCastException("class java.lang.String cannot be cast")));
    assertEquals(
        "/x: no such file or folder",
        CliErrors.describe(new java.nio.file.NoSuchFileException("/x")));
    assertEquals(
        "/x: no such file or folder",
        CliErrors.describe(
            new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("/x"))));
    assertEquals(
        "f.json: Expected BEGIN_OBJECT but was STRING",
        CliErrors.describe(
            new java.io.IOException(
                "f.json: java.lang.IllegalStateException: Expected BEGIN_OBJECT but was STRING")));
    String coding = CliErrors.describe(new java.nio.charset.MalformedInputException(1));
    assertTrue(coding.contains("not UTF-8 text") && !coding.contains("Exception"), coding);
  }
}
