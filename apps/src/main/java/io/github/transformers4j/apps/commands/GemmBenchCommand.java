package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.apps.bench.GemmBench;
import io.github.transformers4j.apps.bench.GemmReport;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.apps.cli.TextTable;
import io.github.transformers4j.apps.cli.VersionProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j bench gemm}: SGEMM GFLOP/s of the chosen backend over a list of sizes and thread
 * counts, as a table and optionally as JSON.
 */
@Command(
    name = "gemm",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "SGEMM GFLOP/s through the backend SPI: C = A·B for (n, n) F32 matrices.",
      "Each size is checked against dot products first (a wrong result is reported, not timed),"
          + " warmed up, then timed --repeats times; the median and the best are reported."
    })
public final class GemmBenchCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--sizes",
      split = ",",
      paramLabel = "N",
      converter = PositiveInt.class,
      defaultValue = "256,512,1024,2048",
      description = "Matrix sizes n (default: ${DEFAULT-VALUE}).")
  private List<Integer> sizes;

  @Option(
      names = "--threads-list",
      split = ",",
      paramLabel = "T",
      converter = PositiveInt.class,
      description =
          "Thread counts, each a backend created with option threads=T (default: --threads if"
              + " given, else 1,2). Ignored by a backend without a 'threads' option.")
  private List<Integer> threadsList;

  @Option(
      names = "--repeats",
      paramLabel = "R",
      converter = PositiveInt.class,
      defaultValue = "5",
      description = "Timed samples per size (default: ${DEFAULT-VALUE}).")
  private int repeats;

  @Option(
      names = "--warmup-ms",
      paramLabel = "MS",
      defaultValue = "500",
      description = "Least untimed warm-up per size, in ms (default: ${DEFAULT-VALUE}).")
  private long warmupMillis;

  @Option(
      names = "--min-sample-ms",
      paramLabel = "MS",
      defaultValue = "50",
      description =
          "Least duration of one sample; small sizes repeat the product within it"
              + " (default: ${DEFAULT-VALUE}).")
  private long minSampleMillis;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "42",
      description = "Seed of the random matrices (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
  private Path json;

  /** The benchmark on the backend of {@code choice}. */
  @Inject
  public GemmBenchCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GemmBench bench =
        new GemmBench(new GemmBench.Settings(repeats, warmupMillis, minSampleMillis, seed));
    BackendProvider provider = choice.provider();

    // A backend that takes no thread count runs once, with its own default; passing it threads
    // would be rejected (providers refuse unknown options).
    List<Integer> threadCounts = new ArrayList<>();
    boolean threaded = provider.options().contains(BackendChoice.THREADS_OPTION);
    if (!threaded) {
      threadCounts.add(null);
      if (threadsList != null || choice.threads().isPresent()) {
        err.println(
            "note: backend '"
                + provider.name()
                + "' has no 'threads' option; thread counts ignored");
      }
    } else if (threadsList != null) {
      threadCounts.addAll(threadsList);
    } else if (choice.threads().isPresent()) {
      threadCounts.add(choice.threads().getAsInt());
    } else {
      threadCounts.addAll(List.of(1, 2));
    }
    if (json != null) {
      // Fail before minutes of measuring, not after.
      Path parent = json.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new IllegalArgumentException(
            "--json " + json + ": directory " + parent + " does not exist");
      }
    }

    List<GemmBench.Result> results = new ArrayList<>();
    String description = provider.name();
    for (Integer threads : threadCounts) {
      BackendOptions options =
          threads == null
              ? withoutThreads()
              : choice.options().with(BackendChoice.THREADS_OPTION, threads.toString());
      try (ComputeBackend backend = provider.create(options)) {
        description = backend.description();
        for (int n : sizes) {
          GemmBench.Result r = bench.run(backend, threads, n);
          results.add(r);
          err.printf(
              Locale.ROOT,
              "gemm %s threads=%s n=%d: %s%n",
              provider.name(),
              threads == null ? "default" : threads,
              n,
              r.correct() ? String.format(Locale.ROOT, "%.1f GFLOP/s", r.medianGflops()) : "WRONG");
          err.flush();
        }
      }
    }

    out.println("backend: " + provider.name() + " (" + description + ")");
    TextTable table =
        new TextTable(
            ">n",
            ">threads",
            ">median GFLOP/s",
            ">best GFLOP/s",
            ">median ms",
            ">calls/sample",
            "check");
    for (GemmBench.Result r : results) {
      table.row(
          r.n(),
          r.threads() == null ? "default" : r.threads(),
          r.correct() ? fmt("%.1f", r.medianGflops()) : "-",
          r.correct() ? fmt("%.1f", r.bestGflops()) : "-",
          r.correct() ? fmt("%.3f", r.medianMillis()) : "-",
          r.callsPerSample(),
          r.correct() ? "ok" : "WRONG");
    }
    table.print(out);
    out.flush();

    if (json != null) {
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("benchmark", "gemm");
      meta.put("t4j_version", VersionProvider.projectVersion());
      meta.put("java_version", Runtime.version().toString());
      meta.put("backend", provider.name());
      meta.put("backend_description", description);
      meta.put("available_processors", Runtime.getRuntime().availableProcessors());
      meta.put("repeats", repeats);
      meta.put("warmup_ms", warmupMillis);
      meta.put("min_sample_ms", minSampleMillis);
      meta.put("seed", seed);
      Files.writeString(json, GemmReport.toJson(meta, results), StandardCharsets.UTF_8);
    }

    List<GemmBench.Result> wrong = results.stream().filter(r -> !r.correct()).toList();
    if (!wrong.isEmpty()) {
      throw new IllegalStateException(
          "backend '"
              + provider.name()
              + "' computed a wrong product ("
              + wrong.size()
              + " of "
              + results.size()
              + " runs); first: "
              + wrong.get(0).checkDetail());
    }
    return 0;
  }

  private BackendOptions withoutThreads() {
    Map<String, String> m = new LinkedHashMap<>(choice.options().asMap());
    m.remove(BackendChoice.THREADS_OPTION);
    return BackendOptions.of(m);
  }

  private static String fmt(String format, double v) {
    return String.format(Locale.ROOT, format, v);
  }
}
