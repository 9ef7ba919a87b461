package io.github.transformers4j.apps;

import io.github.transformers4j.apps.cli.BackendChoice;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into one line on stderr that a user can act on, and an exit code: {@value
 * #USAGE} for a bad command line, {@value #FAILURE} for a command that failed. The stack trace is
 * printed only with {@code --verbose}: users read the message, developers ask for the trace.
 */
public final class CliErrors
    implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {
  /** Exit code of a command that failed while running. */
  public static final int FAILURE = 1;

  /** Exit code of a command line that could not be parsed or had an invalid value. */
  public static final int USAGE = 2;

  private final BackendChoice choice;

  /** Handlers that read {@code --verbose} from {@code choice}. */
  @Inject
  public CliErrors(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    StringBuilder line = new StringBuilder(oneLine(ex.getMessage()));
    if (ex instanceof UnmatchedArgumentException unmatched) {
      List<String> suggestions = unmatched.getSuggestions();
      if (!suggestions.isEmpty()) {
        line.append("; did you mean ").append(String.join(" or ", suggestions)).append('?');
      }
    }
    line.append(" (see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help')");
    err.println(prefix(cmd) + line);
    // Parsing stopped early, so the --verbose flag may not have been applied: look at the words.
    if (choice.verbose() || Arrays.asList(args).contains("--verbose")) {
      ex.printStackTrace(err);
    }
    err.flush();
    return USAGE;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    err.println(prefix(cmd) + describe(ex));
    if (choice.verbose()) {
      ex.printStackTrace(err);
    }
    err.flush();
    return FAILURE;
  }

  /**
   * The message of {@code ex} as one line a user can act on, never a Java class name: the messages
   * of this project's exceptions name the file or option already; file-system errors get words for
   * their reason; an exception that says nothing useful (a bug) asks for {@code --verbose}.
   */
  static String describe(Throwable ex) {
    Throwable t = ex;
    // Wrappers that add nothing to their cause.
    while ((t instanceof java.io.UncheckedIOException
            || t instanceof java.util.concurrent.ExecutionException
            || t instanceof java.util.concurrent.CompletionException
            || t instanceof java.lang.reflect.InvocationTargetException
            || t instanceof java.lang.reflect.UndeclaredThrowableException)
        && t.getCause() != null
        && t.getCause() != t) {
      t = t.getCause();
    }
    if (t instanceof java.nio.file.NoSuchFileException e) {
      return e.getFile() + ": no such file or folder";
    }
    if (t instanceof java.nio.file.AccessDeniedException e) {
      return e.getFile() + ": permission denied";
    }
    if (t instanceof java.nio.file.FileAlreadyExistsException e) {
      return e.getFile() + ": already exists";
    }
    if (t instanceof java.nio.file.DirectoryNotEmptyException e) {
      return e.getFile() + ": the folder is not empty";
    }
    if (t instanceof java.nio.file.NotDirectoryException e) {
      return e.getFile() + ": not a folder";
    }
    if (t instanceof java.nio.file.FileSystemException e) {
      return e.getFile()
          + ": "
          + (e.getReason() == null ? "file system error" : e.getReason())
          + (e.getOtherFile() == null ? "" : " (" + e.getOtherFile() + ")");
    }
    if (t instanceof java.nio.charset.CharacterCodingException) {
      return "an input file is not UTF-8 text (a binary file?); run with --verbose to see where";
    }
    if (t instanceof OutOfMemoryError) {
      long heap = Runtime.getRuntime().maxMemory() >> 20;
      return "out of memory (the Java heap is "
          + heap
          + " MB): raise it with T4J_JAVA_OPTS=-Xmx"
          + Math.max(2, 2 * ((heap + 1023) >> 10))
          + "g (java -Xmx), or use a smaller model or batch";
    }
    if (t instanceof StackOverflowError) {
      return "internal error (stack overflow); run again with --verbose and report the trace";
    }
    String message = t.getMessage();
    boolean ours =
        t instanceof IllegalArgumentException
            || t instanceof IllegalStateException
            || t instanceof UnsupportedOperationException
            || t instanceof java.io.IOException
            || t instanceof ArithmeticException
            || t.getClass().getName().startsWith("io.github.transformers4j.");
    if (message == null || message.isBlank() || !ours) {
      // A NullPointerException, ClassCastException, ...: a bug, whose message means nothing to a
      // user (and names Java classes).
      return "internal error; run again with --verbose for the details and please report them";
    }
    return oneLine(message);
  }

  private static String prefix(CommandLine cmd) {
    CommandLine root = cmd;
    while (root.getParent() != null) {
      root = root.getParent();
    }
    return root.getCommandName() + ": ";
  }

  // "java.lang.IllegalStateException: " and the like, which libraries put inside their messages.
  private static final java.util.regex.Pattern CLASS_PREFIX =
      java.util.regex.Pattern.compile("\\b(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error):\\s*");

  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    return CLASS_PREFIX.matcher(s.strip()).replaceAll("").replaceAll("\\s*\\R\\s*", "; ");
  }
}
