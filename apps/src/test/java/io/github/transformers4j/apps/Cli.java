package io.github.transformers4j.apps;

import com.google.inject.Module;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.registry.NamedRegistry;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.apps.fake.FakeProviders;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs {@code t4j} in this JVM and captures what it prints. */
final class Cli {
  private Cli() {}

  /** The exit code and the output of one run. */
  record Run(int code, String out, String err) {
    /** The lines of stderr. */
    List<String> errLines() {
      return err.lines().toList();
    }

    /** The error lines, the ones starting with {@code "t4j: "} (benchmark progress is not). */
    List<String> errorLines() {
      return err.lines().filter(l -> l.startsWith("t4j: ")).toList();
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /**
   * The four fake backends and nothing else, so expected output does not change as real backends
   * are added to the build.
   */
  static Backends fakes() {
    return new Backends(
        NamedRegistry.<BackendProvider>of(
            "backend",
            List.of(
                new FakeProviders.Fake(),
                new FakeProviders.FakeGpu(),
                new FakeProviders.FakePlain(),
                new FakeProviders.FakeBroken())));
  }

  /** Runs with the {@linkplain #fakes() fake backends}. */
  static Run run(String... args) {
    return run(new T4jModule(fakes()), args);
  }

  /** Runs with the backends found by {@code ServiceLoader} on the test class path. */
  static Run runInstalled(String... args) {
    return run(new T4jModule(), args);
  }

  /** Runs with the given wiring. */
  static Run run(Module module, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = T4j.run(new PrintWriter(out), new PrintWriter(err), module, args);
    return new Run(code, out.toString(), err.toString());
  }
}
