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
   * The message of {@code ex} as one line; the class name only where the message alone would not
   * say what happened (a {@code NullPointerException} without a message, an I/O error naming just a
   * path).
   */
  static String describe(Throwable ex) {
    String message = ex.getMessage();
    if (message == null || message.isBlank()) {
      return ex.getClass().getSimpleName()
          + (ex.getCause() == null ? "" : ": " + describe(ex.getCause()));
    }
    if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException) {
      return oneLine(message);
    }
    return ex.getClass().getSimpleName() + ": " + oneLine(message);
  }

  private static String prefix(CommandLine cmd) {
    CommandLine root = cmd;
    while (root.getParent() != null) {
      root = root.getParent();
    }
    return root.getCommandName() + ": ";
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
