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
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.BackendOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j backends}: every installed backend with its priority, whether it can run here and why,
 * and which one a command would use by default; with {@code --kernels NAME}, where each kernel of
 * that backend runs ({@code device}, or {@code host} when it goes through a host copy).
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

  @Option(
      names = "--kernels",
      paramLabel = "NAME",
      description =
          "Instead of the table, one line per kernel of the backend SPI, in its declaration order:"
              + " the kernel, a tab, and 'device' (runs without a host copy of its tensors) or"
              + " 'host'. Opens the backend NAME with its default options.")
  private String kernels;

  /** The command listing the backends of {@code choice}. */
  @Inject
  public BackendsCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Backends backends = choice.backends();
    if (kernels != null) {
      return printKernels(out, backends);
    }
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

  private int printKernels(PrintWriter out, Backends backends) {
    BackendProvider provider = backends.provider(kernels.trim()); // unknown: names the installed
    Probe probe = backends.probe(provider);
    if (!probe.available()) {
      throw new IllegalArgumentException(
          "backend '" + provider.name() + "' cannot run here: " + probe.reason());
    }
    try (ComputeBackend backend = provider.create(BackendOptions.none())) {
      for (String k : ComputeBackend.kernelNames()) {
        out.println(k + "\t" + (backend.runsOnDevice(k) ? "device" : "host"));
      }
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
