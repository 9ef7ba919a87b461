package io.github.transformers4j.apps;

import com.google.inject.Module;
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

  /** Runs with the backends installed on the test class path (the fakes). */
  static Run run(String... args) {
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
