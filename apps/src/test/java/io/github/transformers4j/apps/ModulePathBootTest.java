package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.apps.cli.VersionProvider;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Starts {@code t4j} in a child JVM on the module path, as the launcher does: the unit tests run on
 * the class path, where missing {@code opens}, {@code requires} or Guice's module-path quirks go
 * unnoticed. The module path is this module's classes plus the runtime dependencies Maven lists in
 * {@code target/runtime-module-path.txt}.
 */
class ModulePathBootTest {
  private static final String MAIN =
      "io.github.transformers4j.apps/io.github.transformers4j.apps.T4j";

  record Result(int code, List<String> out, List<String> err) {}

  private static Result t4j(String... args) throws IOException, InterruptedException {
    Path target = Path.of("target");
    Path listing = target.resolve("runtime-module-path.txt");
    assertTrue(
        Files.exists(listing), () -> listing.toAbsolutePath() + " is missing: run through Maven");
    String modulePath =
        target.resolve("classes")
            + File.pathSeparator
            + Files.readString(listing, StandardCharsets.UTF_8).strip();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("--add-modules", "jdk.incubator.vector", "-p", modulePath, "-m", MAIN));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("t4j-out", ".txt");
    Path err = Files.createTempFile("t4j-err", ".txt");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "t4j did not finish in 60 s");
      List<String> errLines =
          Files.readAllLines(err).stream()
              // The JVM's own notice; the launcher filters it too.
              .filter(l -> !l.startsWith("WARNING: Using incubator modules"))
              .toList();
      return new Result(p.exitValue(), Files.readAllLines(out), errLines);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void bootsOnTheModulePathWithGuiceAndPicocli() throws Exception {
    Result version = t4j("--version");
    assertEquals(0, version.code(), version::toString);
    assertEquals("t4j " + VersionProvider.projectVersion(), version.out().get(0));
    assertEquals(List.of(), version.err());

    // Subcommands are built by Guice and filled by Picocli: both need the module's opens.
    Result help = t4j("bench", "gemm", "--help");
    assertEquals(0, help.code(), help::toString);
    assertTrue(help.out().get(0).startsWith("Usage: t4j bench gemm"), help::toString);

    // Service binding on the module path: the api's own "reference" provider is always there.
    // (A backend may log its own notices on stderr while probing; t4j itself must not complain.)
    Result backends = t4j("backends");
    assertEquals(0, backends.code(), backends::toString);
    assertTrue(
        backends.out().stream().anyMatch(l -> l.matches("[* ]  reference +0 +yes .*")),
        backends::toString);
    assertTrue(
        backends.err().stream().noneMatch(l -> l.startsWith("t4j:") || l.contains("Exception")),
        backends::toString);
  }

  @Test
  void errorsStayOneLineOnTheModulePath() throws Exception {
    Result r = t4j("bench", "gemm", "--backend", "no-such-backend");
    assertEquals(CliErrors.FAILURE, r.code(), r::toString);
    assertEquals(1, r.err().size(), r::toString);
    assertTrue(
        r.err().get(0).startsWith("t4j: unknown backend 'no-such-backend'; available:"),
        r::toString);

    Result usage = t4j("--threads", "0", "backends");
    assertEquals(CliErrors.USAGE, usage.code(), usage::toString);
    assertEquals(1, usage.err().size(), usage::toString);
  }
}
