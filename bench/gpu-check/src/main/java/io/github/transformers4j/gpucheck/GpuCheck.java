package io.github.transformers4j.gpucheck;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.io.AtomicFiles;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.spi.Probe;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The GPU check of {@code bench/gpu-check}: probes the backend under check (the OpenCL one,
 * {@code aparapi}, by default) and, when it has a device, runs the api's conformance suite on it, a
 * GPT-2-small-shaped forward and training step compared value for value with the {@code cpu}
 * backend, and SGEMM at 1024–8192 beside PyTorch's CUDA figures when {@code run.sh} measured them.
 * Writes {@code report.md} and {@code results.json} into the output folder.
 *
 * <p>Exit status: 0 when everything that ran was correct (also when there is no device: the report
 * says so), 1 when a check failed (a conformance test, a wrong product, models that disagree), 2
 * for bad arguments. Missing the speed target is a finding in the report, not a failure.
 */
public final class GpuCheck {
  /** Logits of the backend under check against the cpu backend's, relative to the largest. */
  static final double LOGITS_TOL = 1e-4;

  /** Losses of the same training steps on the two backends, relative to the loss. */
  static final double LOSS_TOL = 1e-3;

  static final String USAGE =
      "usage: GpuCheck --out DIR [--quick] [--probe-only] [--backend NAME] [--compare NAME]"
          + " [--torch FILE] [--notes FILE]";

  /** The parsed command line. */
  record Options(
      Path out,
      boolean quick,
      boolean probeOnly,
      String backend,
      String compare,
      Path torch,
      Path notes) {

    static Options parse(String... args) {
      Path out = null;
      boolean quick = false;
      boolean probeOnly = false;
      String backend = "aparapi";
      String compare = "cpu";
      Path torch = null;
      Path notes = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> quick = true;
          case "--probe-only" -> probeOnly = true;
          case "--out" -> out = Path.of(value(args, ++i, a));
          case "--backend" -> backend = value(args, ++i, a);
          case "--compare" -> compare = value(args, ++i, a);
          case "--torch" -> torch = Path.of(value(args, ++i, a));
          case "--notes" -> notes = Path.of(value(args, ++i, a));
          default -> throw new IllegalArgumentException("unknown option '" + a + "'; " + USAGE);
        }
      }
      if (out == null) {
        throw new IllegalArgumentException("--out DIR is required; " + USAGE);
      }
      return new Options(out, quick, probeOnly, backend, compare, torch, notes);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length || args[i].startsWith("--")) {
        throw new IllegalArgumentException(option + " needs a value; " + USAGE);
      }
      return args[i];
    }
  }

  private GpuCheck() {}

  public static void main(String[] args) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("gpu-check: " + e.getMessage());
      System.exit(2);
      return;
    }
    int code;
    try {
      code = run(o, System.out);
    } catch (IOException e) {
      System.err.println("gpu-check: cannot write the report into " + o.out() + ": " + e.getMessage());
      code = 1;
    } catch (IllegalArgumentException e) {
      // An unknown --backend or --compare: the registry's message lists the installed names.
      System.err.println("gpu-check: " + e.getMessage());
      code = 2;
    }
    // Aparapi's and the cpu backend's pools are daemon threads, but a JUnit or OpenCL thread might
    // not be: the check is over.
    System.exit(code);
  }

  /**
   * Timed repetitions of one part (GPT-2 forwards, training steps, one SGEMM size) stop after this
   * long, after at least one, so that a slow device still finishes within the device tool's call;
   * the report is rewritten after every part, so even a run cut short leaves what it measured.
   */
  static final long PART_BUDGET_MILLIS = 30_000;

  /** Exit status of {@code --probe-only} when there is no device (run.sh tells the cases apart). */
  static final int NO_DEVICE = 3;

  /** Runs the check; returns the exit status described on the class. */
  static int run(Options o, PrintStream log) throws IOException {
    Files.createDirectories(o.out());
    Report report = new Report(o);
    Backends backends = Backends.installed();
    BackendProvider provider = backends.registry().forName(o.backend());
    Probe probe = backends.probe(provider);
    report.probe = probe;
    log.println("gpu-check: backend '" + o.backend() + "': " + probe.reason());
    if (!probe.available() || o.probeOnly()) {
      report.write();
      log.println(
          "gpu-check: "
              + (probe.available() ? "device found (--probe-only)" : "NO DEVICE: nothing to run")
              + "; report in "
              + o.out().resolve("report.md"));
      return !probe.available() && o.probeOnly() ? NO_DEVICE : 0;
    }

    report.running = true;
    // Each part runs even when one before it broke, and a part that throws is reported as such:
    // the check often runs once, on a machine whose output is all we get back.
    section(report, log, "conformance suite on '" + o.backend() + "'", () -> {
      report.conformance = ConformanceRun.run(o.backend(), log);
    });

    Gpt2Step.Shape shape = o.quick() ? Gpt2Step.Shape.QUICK : Gpt2Step.Shape.GPT2_SMALL;
    report.shape = shape;
    int forwards = o.quick() ? 2 : 3;
    int steps = o.quick() ? 2 : 3;
    section(report, log, "GPT-2 (" + shape + ") forward and training step", () -> {
      try (ComputeBackend b = backends.create(o.backend(), BackendOptions.none())) {
        report.gpt2 = Gpt2Step.run(b, shape, forwards, steps, PART_BUDGET_MILLIS, log);
      }
      report.write();
      try (ComputeBackend c = backends.create(o.compare(), BackendOptions.none())) {
        report.gpt2Compared =
            Gpt2Step.run(
                c,
                shape,
                report.gpt2.forwardMillis().length,
                report.gpt2.stepMillis().length,
                Long.MAX_VALUE,
                log);
      }
    });

    int[] sizes = o.quick() ? new int[] {64, 128, 256} : new int[] {1024, 2048, 4096, 8192};
    report.torch = TorchSgemm.read(o.torch());
    section(report, log, "SGEMM " + java.util.Arrays.toString(sizes), () -> {
      try (ComputeBackend b = backends.create(o.backend(), BackendOptions.none())) {
        for (int n : sizes) {
          report.sgemm.add(
              Sgemm.measure(
                  b, n, o.quick() ? 3 : 5, o.quick() ? 50 : 500, PART_BUDGET_MILLIS, 42, log));
          report.write();
        }
      }
    });
    report.finished = true;
    report.write();
    log.println("gpu-check: " + report.verdict() + "; report in " + o.out().resolve("report.md"));
    return report.failed() ? 1 : 0;
  }

  /** One part of the check; it may write the report as it goes. */
  @FunctionalInterface
  private interface Part {
    void run() throws IOException;
  }

  private static void section(Report report, PrintStream log, String title, Part body)
      throws IOException {
    log.println("gpu-check: " + title);
    try {
      body.run();
      report.write();
    } catch (RuntimeException | LinkageError | OutOfMemoryError | AssertionError e) {
      String what = title + ": " + e;
      report.errors.add(what);
      log.println("gpu-check: BROKE in " + what);
      e.printStackTrace(log);
      report.write();
    }
  }

  /** What the run found, and its two renderings. */
  static final class Report {
    final Options options;
    final String started = Instant.now().toString();
    Probe probe;
    ConformanceRun.Result conformance;
    Gpt2Step.Shape shape;
    Gpt2Step.Result gpt2;
    Gpt2Step.Result gpt2Compared;
    TorchSgemm torch;
    final List<Sgemm.Result> sgemm = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    /** Set when the parts start, and when they are all over. */
    boolean running;
    boolean finished;

    Report(Options options) {
      this.options = options;
    }

    double logitsDiff() {
      float[] a = gpt2.logits();
      float[] b = gpt2Compared.logits();
      double max = 0;
      double scale = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs((double) a[i] - b[i]));
        scale = Math.max(scale, Math.abs(b[i]));
      }
      return max / Math.max(1, scale);
    }

    double lossDiff() {
      double max = 0;
      for (int i = 0; i < gpt2.losses().size(); i++) {
        double x = gpt2.losses().get(i);
        double y = gpt2Compared.losses().get(i);
        max = Math.max(max, Math.abs(x - y) / Math.max(1, Math.abs(y)));
      }
      return max;
    }

    boolean gpt2Agrees() {
      return gpt2Compared != null
          && logitsDiff() <= LOGITS_TOL
          && lossDiff() <= LOSS_TOL
          && gpt2.losses().size() == gpt2Compared.losses().size();
    }

    boolean failed() {
      return !errors.isEmpty()
          || conformance != null && !conformance.passed()
          || gpt2 != null && gpt2Compared != null && !gpt2Agrees()
          || sgemm.stream().anyMatch(r -> !r.correct());
    }

    Sgemm.Result at(int n) {
      return sgemm.stream().filter(r -> r.n() == n).findFirst().orElse(null);
    }

    String verdict() {
      if (!probe.available()) {
        return "no device";
      }
      if (!running) {
        return "device found";
      }
      StringBuilder v =
          new StringBuilder(
              failed()
                  ? "FAILED"
                  : finished ? "all checks passed" : "INCOMPLETE (the run stopped before its end)");
      Sgemm.Result r = at(TorchSgemm.TARGET_N);
      double ratio = r == null || torch == null ? Double.NaN : torch.ratio(r.n(), r.gflopsMedian());
      if (!Double.isNaN(ratio)) {
        v.append(
            String.format(
                Locale.ROOT,
                "; SGEMM %d³ at %.3f× PyTorch fp32 (target ≥ %.2f×: %s)",
                TorchSgemm.TARGET_N,
                ratio,
                TorchSgemm.TARGET_RATIO,
                ratio >= TorchSgemm.TARGET_RATIO ? "met" : "NOT met"));
      }
      return v.toString();
    }

    void write() throws IOException {
      AtomicFiles.write(
          options.out().resolve("report.md"), markdown().getBytes(StandardCharsets.UTF_8));
      AtomicFiles.write(
          options.out().resolve("results.json"),
          new GsonBuilder()
              .setPrettyPrinting()
              .disableHtmlEscaping()
              .serializeSpecialFloatingPointValues()
              .create()
              .toJson(json())
              .getBytes(StandardCharsets.UTF_8));
    }

    String markdown() throws IOException {
      StringBuilder m = new StringBuilder();
      m.append("# GPU check (bench/gpu-check)\n\n");
      m.append("- started: ").append(started).append('\n');
      m.append("- mode: ").append(options.quick() ? "--quick (small sizes)" : "full").append('\n');
      m.append("- backend under check: `").append(options.backend()).append("`\n");
      m.append("- device: ").append(probe.reason()).append('\n');
      m.append("- verdict: **").append(verdict()).append("**\n\n");
      if (!probe.available()) {
        m.append("No device: the backend's probe says it cannot run here, so nothing was run.")
            .append(" See the environment notes below for what run.sh found.\n\n");
      }
      if (conformance != null) {
        m.append("## Conformance suite (api test-jar `BackendConformance`)\n\n");
        m.append(
            String.format(
                Locale.ROOT,
                "%d passed, %d failed, %d aborted, %d skipped in %.1f s\n\n",
                conformance.count("PASSED"),
                conformance.count("FAILED"),
                conformance.count("ABORTED"),
                conformance.count("SKIPPED"),
                conformance.seconds()));
        for (ConformanceRun.Outcome x : conformance.outcomes()) {
          if (!x.status().equals("PASSED")) {
            m.append("- ").append(x.status()).append(' ').append(x.test()).append(": ")
                .append(x.message()).append('\n');
          }
        }
        m.append('\n');
      }
      if (!errors.isEmpty()) {
        m.append("## Parts that broke\n\n");
        errors.forEach(e -> m.append("- ").append(e).append('\n'));
        m.append('\n');
      }
      if (gpt2 != null && gpt2Compared != null) {
        m.append("## GPT-2 (").append(shape).append(")\n\n");
        m.append("| backend | forward ms (median) | logits read back ms | training step ms (median) | losses |\n");
        m.append("|---|---|---|---|---|\n");
        for (Gpt2Step.Result r : List.of(gpt2, gpt2Compared)) {
          m.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %.1f | %.1f | %.1f | %s |\n",
                  r.backend(),
                  Gpt2Step.median(r.forwardMillis()),
                  r.readbackMillis(),
                  Gpt2Step.median(r.stepMillis()),
                  r.losses()));
        }
        m.append(
            String.format(
                Locale.ROOT,
                "\nAgreement with `%s`: logits max |diff| / max(1, max |logit|) = %.3g (tolerance"
                    + " %.0e); losses max relative diff = %.3g (tolerance %.0e): %s. A training"
                    + " step is forward, backward, clipping and AdamW; forwards are timed without"
                    + " reading the logits back, which is timed apart.\n\n",
                options.compare(),
                logitsDiff(),
                LOGITS_TOL,
                lossDiff(),
                LOSS_TOL,
                gpt2Agrees() ? "agree" : "DISAGREE"));
      }
      if (!sgemm.isEmpty()) {
        m.append("## SGEMM C = A·B, (n, n) fp32\n\n");
        if (torch.skipped() != null) {
          m.append("PyTorch comparison skipped: ").append(torch.skipped()).append("\n\n");
        } else {
          m.append("PyTorch ").append(torch.version()).append(" on ").append(torch.device())
              .append(", `torch.backends.cuda.matmul.allow_tf32 = False`.\n\n");
        }
        m.append("| n | ours GFLOP/s (median) | ours best | products per sample | PyTorch GFLOP/s (median) | ratio |\n");
        m.append("|---|---|---|---|---|---|\n");
        for (Sgemm.Result r : sgemm) {
          Double t = torch.gflopsMedian().get(r.n());
          double ratio = torch.ratio(r.n(), r.gflopsMedian());
          m.append(
              r.correct()
                  ? String.format(
                      Locale.ROOT,
                      "| %d | %.1f | %.1f | %d | %s | %s |\n",
                      r.n(),
                      r.gflopsMedian(),
                      r.gflopsBest(),
                      r.productsPerSample(),
                      t == null ? "–" : String.format(Locale.ROOT, "%.1f", t),
                      Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.3f", ratio))
                  : "| " + r.n() + " | WRONG: " + r.check() + " | | | | |\n");
        }
        m.append(
            String.format(
                Locale.ROOT,
                "\nTarget: ≥ %.2f× PyTorch's (cuBLAS) fp32 SGEMM at %d³. Each sample is m products"
                    + " and one read-back of C (spread over the m); entries of C are checked"
                    + " against double-precision dot products before and after timing.\n\n",
                TorchSgemm.TARGET_RATIO,
                TorchSgemm.TARGET_N));
      }
      if (options.notes() != null && Files.isRegularFile(options.notes())) {
        m.append("## Environment notes (run.sh)\n\n```\n")
            .append(Files.readString(options.notes(), StandardCharsets.UTF_8).strip())
            .append("\n```\n");
      }
      return m.toString();
    }

    JsonObject json() {
      JsonObject j = new JsonObject();
      j.addProperty("started", started);
      j.addProperty("quick", options.quick());
      j.addProperty("backend", options.backend());
      j.addProperty("device_available", probe.available());
      j.addProperty("device", probe.reason());
      j.addProperty("verdict", verdict());
      j.addProperty("failed", failed());
      if (conformance != null) {
        JsonObject c = new JsonObject();
        for (String s : List.of("PASSED", "FAILED", "ABORTED", "SKIPPED")) {
          c.addProperty(s.toLowerCase(Locale.ROOT), conformance.count(s));
        }
        c.addProperty("seconds", conformance.seconds());
        JsonArray bad = new JsonArray();
        conformance.outcomes().stream()
            .filter(x -> !x.status().equals("PASSED"))
            .forEach(x -> bad.add(x.status() + " " + x.test() + ": " + x.message()));
        c.add("not_passed", bad);
        j.add("conformance", c);
      }
      JsonArray broke = new JsonArray();
      errors.forEach(broke::add);
      j.add("errors", broke);
      if (gpt2 != null && gpt2Compared != null) {
        JsonObject g = new JsonObject();
        g.addProperty("shape", shape.toString());
        for (Gpt2Step.Result r : List.of(gpt2, gpt2Compared)) {
          JsonObject b = new JsonObject();
          b.add("forward_ms", array(r.forwardMillis()));
          b.addProperty("logits_readback_ms", r.readbackMillis());
          b.add("step_ms", array(r.stepMillis()));
          JsonArray l = new JsonArray();
          r.losses().forEach(l::add);
          b.add("losses", l);
          g.add(r.backend(), b);
        }
        g.addProperty("logits_max_rel_diff", logitsDiff());
        g.addProperty("loss_max_rel_diff", lossDiff());
        g.addProperty("agree", gpt2Agrees());
        j.add("gpt2", g);
      }
      if (!sgemm.isEmpty()) {
        JsonArray s = new JsonArray();
        for (Sgemm.Result r : sgemm) {
          JsonObject x = new JsonObject();
          x.addProperty("n", r.n());
          x.addProperty("correct", r.correct());
          x.addProperty("check", r.check());
          x.addProperty("products_per_sample", r.productsPerSample());
          x.add("ms_per_product", array(r.millisPerProduct()));
          x.addProperty("gflops_median", r.gflopsMedian());
          x.addProperty("gflops_best", r.gflopsBest());
          Double t = torch.gflopsMedian().get(r.n());
          if (t != null) {
            x.addProperty("torch_gflops_median", t);
            x.addProperty("ratio", torch.ratio(r.n(), r.gflopsMedian()));
          }
          s.add(x);
        }
        j.add("sgemm", s);
        j.addProperty("torch_skipped", torch.skipped());
        j.addProperty("target_ratio", TorchSgemm.TARGET_RATIO);
        j.addProperty("target_n", TorchSgemm.TARGET_N);
      }
      return j;
    }

    private static JsonArray array(double[] x) {
      JsonArray a = new JsonArray();
      for (double v : x) {
        a.add(v);
      }
      return a;
    }
  }
}
