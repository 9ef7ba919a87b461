package io.github.transformers4j.apps;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.apps.cli.VersionProvider;
import io.github.transformers4j.apps.commands.BackendsCommand;
import io.github.transformers4j.apps.commands.BenchCommand;
import io.github.transformers4j.apps.commands.ClassifyCommand;
import io.github.transformers4j.apps.commands.CompareCommand;
import io.github.transformers4j.apps.commands.ClipCommand;
import io.github.transformers4j.apps.commands.FillMaskCommand;
import io.github.transformers4j.apps.commands.NerCommand;
import io.github.transformers4j.apps.commands.ServeCommand;
import io.github.transformers4j.apps.commands.SummarizeCommand;
import io.github.transformers4j.apps.commands.TranslateCommand;
import io.github.transformers4j.apps.commands.TokenizeCommand;
import io.github.transformers4j.apps.commands.TokenizerCommand;
import io.github.transformers4j.apps.commands.EvalCommand;
import io.github.transformers4j.apps.commands.EmbedCommand;
import io.github.transformers4j.apps.commands.GenerateCommand;
import io.github.transformers4j.apps.commands.QuickstartCommand;
import io.github.transformers4j.apps.commands.TrainCommand;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code t4j} top command: holds the global options and the subcommands, and is the program's
 * entry point. Every command is created by Guice ({@link GuiceFactory}) from {@link T4jModule}.
 *
 * <p>Exit codes: 0 success, {@value CliErrors#FAILURE} a command failed, {@value CliErrors#USAGE} a
 * bad command line.
 */
@Command(
    name = "t4j",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Build, train and run transformer models in Java.",
    subcommands = {
      QuickstartCommand.class,
      TrainCommand.class,
      ClipCommand.class,
      GenerateCommand.class,
      FillMaskCommand.class,
      ClassifyCommand.class,
      NerCommand.class,
      SummarizeCommand.class,
      TranslateCommand.class,
      EmbedCommand.class,
      ServeCommand.class,
      EvalCommand.class,
      BackendsCommand.class,
      BenchCommand.class,
      CompareCommand.class,
      TokenizeCommand.class,
      TokenizerCommand.class,
      CommandLine.HelpCommand.class
    })
public final class T4j {
  private final BackendChoice choice;

  /** The top command writing the global options into {@code choice}. */
  @Inject
  public T4j(BackendChoice choice) {
    this.choice = choice;
  }

  // The global options are inherited, so they may be given before or after a subcommand name
  // (`t4j --backend cpu bench gemm` or `t4j bench gemm --backend cpu`); the setters all write to
  // the one BackendChoice that commands receive by injection.

  @Option(
      names = "--backend",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description =
          "Compute backend (see 't4j backends'). Default: system property t4j.backend, else"
              + " environment variable T4J_BACKEND, else the best available one.")
  void backend(String name) {
    choice.setName(name);
  }

  @Option(
      names = "--threads",
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      converter = PositiveInt.class,
      description = "Worker threads of the backend (its option 'threads').")
  void threads(int threads) {
    choice.setThreads(threads);
  }

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  void verbose(boolean verbose) {
    choice.setVerbose(verbose);
  }

  /**
   * A command line whose commands are built by {@code injector}, with the one-line error handlers
   * installed.
   */
  public static CommandLine commandLine(Injector injector) {
    CliErrors errors = injector.getInstance(CliErrors.class);
    CommandLine cmd =
        new CommandLine(T4j.class, new GuiceFactory(injector))
            .setParameterExceptionHandler(errors)
            .setExecutionExceptionHandler(errors);
    for (String name : HOST_ONLY) {
      withoutBackendOptions(cmd.getSubcommands().get(name));
    }
    return cmd;
  }

  /**
   * Commands that compute on no backend (text processing on the host): they neither show nor
   * accept the inherited {@code --backend} and {@code --threads}, so those are not silently
   * ignored there.
   */
  static final List<String> HOST_ONLY = List.of("tokenize", "tokenizer");

  private static void withoutBackendOptions(CommandLine command) {
    for (String name : List.of("--backend", "--threads")) {
      CommandLine.Model.OptionSpec option = command.getCommandSpec().findOption(name);
      if (option != null) {
        command.getCommandSpec().remove(option);
      }
    }
    command.getSubcommands().values().forEach(T4j::withoutBackendOptions);
  }

  /**
   * Runs {@code t4j} with {@code args} and the given wiring, writing to {@code out} and {@code
   * err}; returns the exit code. The whole program but {@link System#exit}, for tests and
   * embedding. On the module path, run with {@code -Dguice_bytecode_gen_option=DISABLED} (as {@link
   * #main} does).
   */
  public static int run(PrintWriter out, PrintWriter err, Module module, String... args) {
    CommandLine cmd;
    try {
      cmd = commandLine(Guice.createInjector(module));
    } catch (RuntimeException | LinkageError e) {
      // A broken installation (a module not opened, a missing jar): still one line, as promised.
      err.println("t4j: cannot start: " + CliErrors.describe(e));
      if (Arrays.asList(args).contains("--verbose")) {
        e.printStackTrace(err);
      }
      err.flush();
      return CliErrors.FAILURE;
    }
    cmd.setOut(out);
    cmd.setErr(err);
    int code;
    try {
      code = cmd.execute(args);
    } catch (VirtualMachineError | LinkageError | AssertionError e) {
      // Picocli hands only Exceptions to the handler; an OutOfMemoryError or StackOverflowError
      // from a command comes out here, and still gets one line and a non-zero exit.
      err.println("t4j: " + CliErrors.describe(e));
      if (Arrays.asList(args).contains("--verbose")) {
        e.printStackTrace(err);
      }
      code = CliErrors.FAILURE;
    }
    out.flush();
    err.flush();
    return code;
  }

  /** The program entry point. */
  public static void main(String[] args) {
    // One-line log records (a backend fallback is logged once) instead of the JDK's two-line
    // default; only when the user has not chosen a format.
    setIfAbsent("jdk.system.logger.format", "t4j: %4$s: %5$s%6$s%n");
    setIfAbsent("java.util.logging.SimpleFormatter.format", "t4j: %4$s: %5$s%6$s%n");
    // Guice's generated "fast classes" live in an unnamed module that cannot see the packages this
    // module only opens to Guice, so on the module path it must construct by reflection. Nothing
    // here needs what bytecode generation adds (method interception); Guice reads the flag when
    // its first class loads, which is below.
    setIfAbsent("guice_bytecode_gen_option", "DISABLED");
    int code =
        run(
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true),
            new T4jModule(),
            args);
    System.exit(code);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
