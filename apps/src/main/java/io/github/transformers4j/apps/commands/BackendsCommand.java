package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.spi.Probe;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.TextTable;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code t4j backends}: every installed backend with its priority, whether it can run here and why,
 * and which one a command would use by default.
 */
@Command(
    name = "backends",
    mixinStandardHelpOptions = true,
    versionProvider = io.github.transformers4j.apps.cli.VersionProvider.class,
    description = {
      "List the installed compute backends: priority, whether each can run here and why.",
      "The one marked '*' is what commands use: --backend, else the system property t4j.backend,"
          + " else the environment variable T4J_BACKEND, else the available one of highest"
          + " priority."
    })
public final class BackendsCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  /** The command listing the backends of {@code choice}. */
  @Inject
  public BackendsCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Backends backends = choice.backends();
    List<BackendProvider> providers = backends.byPriority();

    // An explicit --backend that is unknown or cannot run is the user's mistake: fail. A default
    // that cannot be resolved (nothing installed, a bad T4J_BACKEND) is what this command is for
    // diagnosing, so it is reported below the table instead.
    String chosen = null;
    String chosenNote;
    if (choice.name().isPresent()) {
      chosen = choice.provider().name();
      chosenNote = "chosen with --backend";
    } else {
      try {
        chosen = backends.choose(null).name();
        chosenNote = source(chosen);
      } catch (RuntimeException e) {
        chosenNote = e.getMessage();
      }
    }

    if (providers.isEmpty()) {
      out.println("No compute backend is installed.");
    } else {
      TextTable table = new TextTable(" ", "NAME", ">PRIORITY", "AVAILABLE", "OPTIONS", "PROBE");
      for (BackendProvider p : providers) {
        Probe probe = backends.probe(p);
        table.row(
            p.name().equals(chosen) ? "*" : " ",
            p.name(),
            p.priority(),
            probe.available() ? "yes" : "no",
            p.options().isEmpty() ? "-" : String.join(",", new TreeSet<>(p.options())),
            probe.reason());
      }
      table.print(out);
      out.println();
    }
    if (chosen != null) {
      out.println("* default: " + chosen + " (" + chosenNote + ")");
    } else {
      out.println("default: none (" + chosenNote + ")");
    }
    for (String problem : backends.registry().problems()) {
      out.println("warning: " + problem);
    }
    out.flush();
    return 0;
  }

  /** Where the default choice comes from, in the order {@link Backends#choose} consults them. */
  private static String source(String chosen) {
    String configured = System.getProperty(Backends.PROPERTY);
    String from = "system property " + Backends.PROPERTY;
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(Backends.ENV);
      from = "environment variable " + Backends.ENV;
    }
    if (configured == null || configured.isBlank()) {
      return "the available backend of highest priority";
    }
    if (configured.trim().equalsIgnoreCase(chosen)) {
      return from + "=" + configured;
    }
    return from
        + "="
        + configured
        + " cannot run here; fell back to the available backend of"
        + " highest priority";
  }
}
