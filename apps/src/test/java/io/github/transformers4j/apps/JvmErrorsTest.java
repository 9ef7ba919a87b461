package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.registry.NamedRegistry;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.spi.Probe;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, defect 5: an {@link Error} from a command (OutOfMemoryError, StackOverflowError) used to
 * escape picocli's handler, which takes only Exceptions, and print a JVM stack trace. It must give
 * one line (for OOM: how to raise the heap) and exit non-zero; the trace only with --verbose.
 */
class JvmErrorsTest {

  /** A backend whose creation throws {@code error}: the first thing a bench command does. */
  private record Throwing(String name, Supplier<Error> error) implements BackendProvider {
    @Override
    public int priority() {
      return 0;
    }

    @Override
    public Probe probe() {
      return Probe.available("throws " + name);
    }

    @Override
    public Set<String> options() {
      return Set.of("threads");
    }

    @Override
    public ComputeBackend create(BackendOptions options) {
      throw error.get();
    }
  }

  private static Cli.Run run(String... extra) {
    Backends backends =
        new Backends(
            NamedRegistry.<BackendProvider>of(
                "backend",
                List.of(
                    new Throwing("oom", () -> new OutOfMemoryError("Java heap space")),
                    new Throwing("deep", StackOverflowError::new))));
    return Cli.run(new T4jModule(backends), extra);
  }

  @Test
  void outOfMemoryIsOneLineSayingHowToRaiseTheHeap() {
    Cli.Run r = run("bench", "gemm", "--backend", "oom", "--sizes", "4");
    assertEquals(CliErrors.FAILURE, r.code(), r::toString);
    assertEquals(1, r.errLines().size(), r::toString);
    String line = r.errLines().get(0);
    assertTrue(line.startsWith("t4j: out of memory (the Java heap is "), line);
    assertTrue(line.contains("T4J_JAVA_OPTS=-Xmx"), line);
    assertFalse(line.contains("OutOfMemoryError"), line);
  }

  @Test
  void stackOverflowIsOneLine() {
    Cli.Run r = run("bench", "gemm", "--backend", "deep", "--sizes", "4");
    assertEquals(CliErrors.FAILURE, r.code(), r::toString);
    assertEquals(1, r.errLines().size(), r::toString);
    assertTrue(r.errLines().get(0).startsWith("t4j: internal error (stack overflow)"), r::toString);
  }

  @Test
  void verboseAddsTheTrace() {
    Cli.Run r = run("--verbose", "bench", "gemm", "--backend", "oom", "--sizes", "4");
    assertEquals(CliErrors.FAILURE, r.code(), r::toString);
    assertTrue(r.err().contains("java.lang.OutOfMemoryError: Java heap space"), r::toString);
    assertTrue(r.err().contains("\tat "), r::toString);
  }
}
