package io.github.transformers4j.api.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The contract every reader fuzz target checks (issue 12), shared by the Jazzer {@code @FuzzTest}s
 * of all modules: a reader given any bytes returns a result, or throws an exception whose message
 * names the file and the problem in at most {@value #MAX_MESSAGE} characters (beyond the path) and
 * quotes no Java exception class. Anything else (another exception type, an {@link Error} such as
 * {@link OutOfMemoryError} or {@link StackOverflowError}) escapes the target, and Jazzer reports it
 * as a finding with the input that caused it. {@link #within} bounds the time of one input: JUnit's
 * {@code @Timeout} cannot, since while fuzzing it would bound the whole run of millions of inputs.
 */
public final class Fuzz {
  /** The longest refusal message allowed, not counting the file's path. */
  public static final int MAX_MESSAGE = 300;

  /** Seconds one input may take, in regression runs and while fuzzing. */
  public static final int TIMEOUT_SECONDS = 10;

  private static final Pattern JAVA_CLASS = Pattern.compile("\\b[A-Z]\\w*(Exception|Error)\\b");

  /** Daemon threads, so an input that hangs cannot keep the test JVM alive. */
  private static final ExecutorService WORKERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "t4j-fuzz-input");
            t.setDaemon(true);
            return t;
          });

  private Fuzz() {}

  /** A fuzz target's body: reads one input, checking the contract. */
  @FunctionalInterface
  public interface Body {
    void run() throws Exception;
  }

  /**
   * Runs {@code body} on a worker thread and waits at most {@value #TIMEOUT_SECONDS} s for it (a
   * reader that hangs is a finding). What it throws is rethrown as it is (an {@link Error} or
   * unchecked exception), or wrapped in an {@link AssertionError} (a checked one the body did not
   * handle).
   */
  public static void within(Body body) {
    Future<?> f =
        WORKERS.submit(
            () -> {
              body.run();
              return null;
            });
    try {
      f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("one input took more than " + TIMEOUT_SECONDS + " s (a hang?)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Error err) {
        throw err;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new AssertionError("not a refusal as the contract wants: " + c, c);
    }
  }

  /**
   * Checks that {@code e}, thrown by a reader of {@code file}, is a refusal as the contract wants
   * it; otherwise throws an {@link AssertionError} (with {@code e} as its cause) so the fuzzer
   * records the input.
   *
   * @param named the path (or other text) the message must contain
   */
  public static void requireRefusal(Throwable e, String named) {
    String m = e.getMessage();
    if (m == null || !m.contains(named)) {
      throw new AssertionError("the message names no " + named + ": " + e, e);
    }
    if (m.length() > MAX_MESSAGE + named.length()) {
      throw new AssertionError(m.length() + " characters: " + head(m), e);
    }
    // Names quoted from the file ('onnx::MatError') are the input's words, not a Java class.
    if (JAVA_CLASS.matcher(m.replaceAll("'[^']*'", "''")).find()) {
      throw new AssertionError("a Java class in the message: " + m, e);
    }
  }

  /** A fresh temporary folder for one input; delete it with {@link #delete}. */
  public static Path folder() {
    try {
      return Files.createTempDirectory("t4j-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code bytes} as {@code name} in {@code dir}, returning the file. */
  public static Path write(Path dir, String name, byte[] bytes) {
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and everything under it. */
  public static void delete(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The input, for a failure message: as text when it is text, else as hex; cut at 300. */
  public static String describe(byte[] input) {
    String s = new String(input, StandardCharsets.ISO_8859_1);
    boolean text = s.chars().allMatch(c -> c >= 32 && c < 127 || c == '\n' || c == '\t');
    String shown = text ? s : HexFormat.of().formatHex(input);
    return input.length + " bytes: " + head(shown);
  }

  private static String head(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
