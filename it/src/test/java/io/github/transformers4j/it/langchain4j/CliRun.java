package io.github.transformers4j.it.langchain4j;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Runs {@code t4j} in this JVM with the installed backends and captures what it prints.
 *
 * <p>{@code T4j.run} is public but its package is not exported by the apps module (it is the
 * composition root, not an API), so the call is made reflectively; the tests run on the class
 * path, where that is allowed.
 */
final class CliRun {
  final int code;
  final String out;
  final String err;

  private CliRun(int code, String out, String err) {
    this.code = code;
    this.out = out;
    this.err = err;
  }

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try {
      Class<?> guiceModule = Class.forName("com.google.inject.Module");
      Object wiring =
          Class.forName("io.github.transformers4j.apps.T4jModule").getConstructor().newInstance();
      Method run =
          Class.forName("io.github.transformers4j.apps.T4j")
              .getMethod("run", PrintWriter.class, PrintWriter.class, guiceModule, String[].class);
      int code =
          (Integer) run.invoke(null, new PrintWriter(out), new PrintWriter(err), wiring, args);
      return new CliRun(code, out.toString(), err.toString());
    } catch (InvocationTargetException e) {
      throw new AssertionError("t4j threw", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot call io.github.transformers4j.apps.T4j.run", e);
    }
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
