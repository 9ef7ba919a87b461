package io.github.transformers4j.training.study;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.TensorMemory;
import io.github.transformers4j.training.data.Rng;
import io.github.transformers4j.training.metrics.ProgressBar;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.GradientBuffer;
import io.github.transformers4j.training.study.StudyModels.Arch;
import io.github.transformers4j.training.study.StudyModels.Decoder;
import io.github.transformers4j.training.study.StudyModels.StudyLm;
import io.github.transformers4j.training.study.SyntheticTasks.Task;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The RNN-versus-transformer study of issue 13: matched LSTM, GRU and transformer language models
 * (equal parameter counts) measured on this machine for each row of the article's comparison
 * table (training tokens/s against T on 1 and 2 threads; copy and associative recall against the
 * dependency distance at an equal training budget; live tensor bytes of a training step and the
 * decoding state against T; Shakespeare validation loss against wall-clock time at an equal
 * budget; latency per generated token against the context), written by {@link StudyReport} as
 * {@code report.md} with PNG plots.
 *
 * <p>It computes through any backend the caller's {@link BackendFactory} makes; the memory rows
 * need one that tracks its tensors ({@link ComputeBackend#memory()}), and say so otherwise.
 */
public final class RnnTransformerStudy {

  /** Makes the backends the study measures on; the study closes them. */
  @FunctionalInterface
  public interface BackendFactory {
    /** A backend using {@code threads} threads that counts its tensor memory if {@code track}. */
    ComputeBackend create(int threads, boolean track);
  }

  private final StudyConfig config;
  private final BackendFactory backends;
  private final Path shakespeare;
  private final PrintStream log;
  private final boolean terminal;
  final Results results;

  /**
   * A study of {@code config} on backends from {@code backends}, reading char-level Shakespeare
   * from {@code shakespeare}, printing progress on {@code log} (redrawn in place if {@code
   * terminal}).
   */
  public RnnTransformerStudy(
      StudyConfig config, BackendFactory backends, Path shakespeare, PrintStream log, boolean terminal) {
    this.config = config;
    this.backends = backends;
    this.shakespeare = shakespeare;
    this.log = log;
    this.terminal = terminal;
    this.results = new Results(config);
  }

  /** What the study measured; {@link StudyReport} turns it into the report. */
  static final class Results {
    final StudyConfig config;
    String backendDescription = "";
    // Section -> arch -> parameter count, and each model's shape.
    final Map<String, Map<Arch, Long>> parameters = new TreeMap<>();
    final Map<Arch, String> shapes = new EnumMap<>(Arch.class);
    // arch -> threads -> tokens/s per config.lengths() index
    final Map<Arch, Map<Integer, double[]>> tokensPerSecond = new EnumMap<>(Arch.class);
    // arch -> live bytes held for the backward (after forward, collected) / high-water mark, per T
    final Map<Arch, long[]> activationBytes = new EnumMap<>(Arch.class);
    final Map<Arch, long[]> peakBytes = new EnumMap<>(Arch.class);
    boolean memoryTracked;
    // arch -> decoding state bytes / latency (ms) at each config.lengths() entry
    final Map<Arch, long[]> stateBytes = new EnumMap<>(Arch.class);
    final Map<Arch, double[]> latencyMs = new EnumMap<>(Arch.class);
    // task -> arch -> accuracy per config.distances() index; training seconds likewise
    final Map<Task, Map<Arch, double[]>> accuracy = new EnumMap<>(Task.class);
    final Map<Task, Map<Arch, double[]>> taskSeconds = new EnumMap<>(Task.class);
    // arch -> (training seconds, validation loss) points; steps and tokens trained
    final Map<Arch, List<double[]>> valCurve = new EnumMap<>(Arch.class);
    final Map<Arch, long[]> shakespeareWork = new EnumMap<>(Arch.class);
    int shakespeareVocab;
    double wallSeconds;
    final double[] sectionSeconds = new double[5];
    // The 1-minute load average at the start and the end (Linux), NaN where unknown.
    double loadStart = Double.NaN;
    double loadEnd = Double.NaN;

    Results(StudyConfig config) {
      this.config = config;
    }
  }

  /**
   * Runs the study into {@code output} by the project's output-folder protocol: a folder holding
   * anything but an earlier study is refused, an earlier study only with {@code overwrite}; the
   * report is written into a hidden staging folder beside it and moved into place at the end, so
   * a failed or interrupted run leaves the old folder (or none) untouched.
   */
  public void runInto(Path output, boolean overwrite) throws IOException {
    Path target = output.toAbsolutePath().normalize();
    if (Files.exists(target)) {
      if (!Files.isDirectory(target)) {
        throw new IllegalArgumentException("--output " + output + ": exists and is not a folder");
      }
      List<String> names = new ArrayList<>();
      try (var list = Files.list(target)) {
        list.forEach(p -> names.add(p.getFileName().toString()));
      }
      boolean study = names.contains("report.md")
          && names.stream().allMatch(n -> n.equals("report.md") || n.endsWith(".png"));
      if (!names.isEmpty() && !study) {
        throw new IllegalArgumentException("--output " + output + ": the folder holds other files ("
            + String.join(", ", names.subList(0, Math.min(5, names.size())))
            + (names.size() > 5 ? ", ..." : "") + "); choose a new or empty folder");
      }
      if (study && !overwrite) {
        throw new IllegalArgumentException("--output " + output
            + ": already holds a study report; pass --overwrite to replace it");
      }
    }
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path staging = parent.resolve("." + target.getFileName() + ".staging-" + System.nanoTime());
    try {
      run(staging);
      if (Files.exists(target)) {
        Path old = parent.resolve("." + target.getFileName() + ".old-" + System.nanoTime());
        Files.move(target, old);
        Files.move(staging, target);
        deleteTree(old);
      } else {
        Files.move(staging, target);
      }
    } finally {
      if (Files.exists(staging)) {
        deleteTree(staging);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Runs every measurement and writes {@code report.md} and the plots into {@code dir}. */
  public void run(Path dir) throws IOException {
    long t0 = System.nanoTime();
    results.loadStart = loadAverage();
    String text = Files.readString(shakespeare, StandardCharsets.UTF_8);
    if (text.length() < 20 * config.shakespeareBlock()) {
      throw new IllegalArgumentException(
          "study: " + shakespeare + " has " + text.length() + " characters; the Shakespeare"
              + " section needs at least " + 20 * config.shakespeareBlock());
    }
    timed(1, "training throughput against T, 1 and 2 threads", this::throughput);
    timed(2, "memory of a training step against T (live tensor bytes)", this::trainingMemory);
    timed(3, "decoding: state bytes and latency per token against the context", this::decoding);
    timed(4, "long-range dependencies: copy and recall against d", this::tasks);
    timed(5, "char-level Shakespeare: validation loss against wall-clock time",
        () -> shakespeare(text));
    results.wallSeconds = (System.nanoTime() - t0) / 1e9;
    results.loadEnd = loadAverage();
    new StudyReport(results).write(dir);
  }

  /** The 1-minute load average from /proc/loadavg, or NaN (not Linux). */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private void timed(int n, String what, Runnable section) {
    log.println("[" + n + "/5] " + what);
    log.flush();
    long t0 = System.nanoTime();
    section.run();
    results.sectionSeconds[n - 1] = (System.nanoTime() - t0) / 1e9;
  }

  // ---- 1. Throughput ----

  private void throughput() {
    int[] lengths = config.lengths();
    int cells = config.threads().length * Arch.values().length * lengths.length;
    ProgressBar bar = new ProgressBar(log, cells, 0, terminal);
    int done = 0;
    for (int threads : config.threads()) {
      try (ComputeBackend backend = backends.create(threads, false)) {
        if (threads == config.threads()[0]) {
          results.backendDescription = backend.description();
        }
        Ops ops = new Ops(backend);
        for (Arch arch : Arch.values()) {
          StudyLm lm = StudyModels.build(ops, config, arch, 65, config.maxLength());
          results.shapes.put(arch, lm.describe());
          results.parameters
              .computeIfAbsent("1-3: throughput, memory, decoding (V 65, " + config.maxLength()
                  + " positions)", k -> new EnumMap<>(Arch.class))
              .put(arch, lm.params().count());
          double[] rates =
              results.tokensPerSecond.computeIfAbsent(arch, a -> new TreeMap<>())
                  .computeIfAbsent(threads, k -> new double[lengths.length]);
          Trainer trainer = new Trainer(ops, lm, 65);
          Rng rng = new Rng(config.seed());
          // JIT warm-up before any timing: the first cells would otherwise time the compiler.
          long warm = System.nanoTime();
          while ((System.nanoTime() - warm) / 1e9 < 2 * config.minTimedSeconds()) {
            trainer.step(randomBatch(rng, config.batch(), lengths[0], 65), config.batch(), lengths[0], 0);
          }
          for (int i = 0; i < lengths.length; i++) {
            int t = lengths[i];
            int b = config.batch();
            for (int w = 0; w < config.warmupSteps(); w++) {
              trainer.step(randomBatch(rng, b, t, 65), b, t, 0);
            }
            long start = System.nanoTime();
            List<Double> stepRates = new ArrayList<>();
            double loss = 0;
            while (stepRates.size() < config.minTimedSteps()
                || (System.nanoTime() - start) / 1e9 < config.minTimedSeconds()) {
              long s = System.nanoTime();
              loss = trainer.step(randomBatch(rng, b, t, 65), b, t, 0);
              stepRates.add((double) b * t / ((System.nanoTime() - s) / 1e9));
            }
            int steps = stepRates.size();
            // The median step: a step stalled by other work on shared cores does not set the rate.
            rates[i] = stepRates.stream().sorted().toList().get(steps / 2);
            bar.update(++done, loss, (long) steps * b * t,
                arch.label + " T " + t + ", " + threads + " thr: " + Math.round(rates[i]) + " tok/s");
          }
        }
      }
    }
    bar.newline();
  }

  // ---- 2. Training memory ----

  private void trainingMemory() {
    int[] lengths = config.lengths();
    ProgressBar bar = new ProgressBar(log, Arch.values().length * lengths.length, 0, terminal);
    int done = 0;
    try (ComputeBackend backend = backends.create(1, true)) {
      TensorMemory memory = backend.memory().orElse(null);
      results.memoryTracked = memory != null;
      if (memory == null) {
        log.println("backend '" + backend.name() + "' does not track tensor memory: section skipped");
        return;
      }
      Ops ops = new Ops(backend);
      for (Arch arch : Arch.values()) {
        StudyLm lm = StudyModels.build(ops, config, arch, 65, config.maxLength());
        long[] held = new long[lengths.length];
        long[] peak = new long[lengths.length];
        Trainer trainer = new Trainer(ops, lm, 65);
        Rng rng = new Rng(config.seed());
        for (int i = 0; i < lengths.length; i++) {
          int t = lengths[i];
          int b = config.batch();
          trainer.step(randomBatch(rng, b, t, 65), b, t, 0); // optimizer state exists from here on
          memory.settle(2_000);
          long base = memory.resetPeak();
          long[] afterForward = new long[1];
          double loss =
              trainer.step(
                  randomBatch(rng, b, t, 65), b, t, 0, () -> afterForward[0] = memory.settle(2_000));
          held[i] = afterForward[0] - base;
          peak[i] = memory.peakBytes() - base;
          bar.update(++done, loss, (long) b * t,
              arch.label + " T " + t + ": " + StudyReport.mib(held[i]) + " held");
        }
        results.activationBytes.put(arch, held);
        results.peakBytes.put(arch, peak);
      }
    }
    bar.newline();
  }

  // ---- 3. Decoding ----

  private void decoding() {
    int[] lengths = config.lengths();
    int n = config.maxLength();
    ProgressBar bar = new ProgressBar(log, (long) Arch.values().length * n, 0, terminal);
    long done = 0;
    try (ComputeBackend backend = backends.create(1, false)) {
      Ops ops = new Ops(backend);
      for (Arch arch : Arch.values()) {
        StudyLm lm = StudyModels.build(ops, config, arch, 65, n);
        // Warm the JIT on a short throwaway run so the first lengths are not compile time.
        Decoder warm = lm.decoder();
        for (int i = 0; i < Math.min(64, n); i++) {
          warm.step(i % 65);
        }
        Decoder d = lm.decoder();
        double[] stepMs = new double[n];
        long[] bytes = new long[n + 1];
        int id = 1;
        for (int i = 0; i < n; i++) {
          long s = System.nanoTime();
          float[] logits = d.step(id);
          stepMs[i] = (System.nanoTime() - s) / 1e6;
          id = argmax(logits);
          bytes[i + 1] = d.stateBytes();
          bar.update(++done, Double.NaN, 1, arch.label + " decoding, context " + (i + 1));
        }
        long[] state = new long[lengths.length];
        double[] latency = new double[lengths.length];
        for (int k = 0; k < lengths.length; k++) {
          int len = lengths[k];
          state[k] = bytes[len];
          // The median of the (up to) 8 steps that end at this context length.
          int from = Math.max(0, len - 8);
          double[] window = Arrays.copyOfRange(stepMs, from, len);
          Arrays.sort(window);
          latency[k] = window[window.length / 2];
        }
        results.stateBytes.put(arch, state);
        results.latencyMs.put(arch, latency);
      }
    }
    bar.newline();
  }

  // ---- 4. Long-range dependencies ----

  private void tasks() {
    int[] ds = config.distances();
    long total = (long) Task.values().length * Arch.values().length * ds.length * config.taskSteps();
    ProgressBar bar = new ProgressBar(log, total, 0, terminal);
    long done = 0;
    int threads = config.threads()[config.threads().length - 1];
    try (ComputeBackend backend = backends.create(threads, false)) {
      Ops ops = new Ops(backend);
      for (Task task : Task.values()) {
        Map<Arch, double[]> acc = results.accuracy.computeIfAbsent(task, k -> new EnumMap<>(Arch.class));
        Map<Arch, double[]> secs =
            results.taskSeconds.computeIfAbsent(task, k -> new EnumMap<>(Arch.class));
        for (int di = 0; di < ds.length; di++) {
          int d = ds[di];
          int positions = task.length(d);
          for (Arch arch : Arch.values()) {
            StudyLm lm = StudyModels.build(ops, config, arch, task.vocab(), positions);
            if (di == ds.length - 1) {
              results.parameters
                  .computeIfAbsent("4: " + task.label + " (V " + task.vocab() + ", d = " + d + ")",
                      k -> new EnumMap<>(Arch.class))
                  .put(arch, lm.params().count());
            }
            Trainer trainer = new Trainer(ops, lm, task.vocab());
            Rng rng = new Rng(config.seed() + 31L * d + task.ordinal());
            long start = System.nanoTime();
            for (int s = 0; s < config.taskSteps(); s++) {
              SyntheticTasks.Batch batch = SyntheticTasks.batch(task, d, config.taskBatch(), rng);
              double loss = trainer.step(batch.ids(), batch.targets(), batch.rows(), batch.length(), s);
              bar.update(++done, loss, (long) batch.rows() * batch.length(),
                  task.name().toLowerCase() + " d " + d + " " + arch.label);
            }
            secs.computeIfAbsent(arch, a -> new double[ds.length])[di] =
                (System.nanoTime() - start) / 1e9;
            Rng eval = new Rng(~config.seed() - d - 7L * task.ordinal());
            acc.computeIfAbsent(arch, a -> new double[ds.length])[di] =
                accuracy(ops, lm, task, d, eval);
          }
        }
      }
    }
    bar.newline();
  }

  private double accuracy(Ops ops, StudyLm lm, Task task, int d, Rng rng) {
    int hits = 0;
    int count = 0;
    int left = config.taskEvalExamples();
    while (left > 0) {
      int rows = Math.min(left, config.taskBatch());
      left -= rows;
      SyntheticTasks.Batch b = SyntheticTasks.batch(task, d, rows, rng);
      float[] logits = lm.logits(ops.ids(b.ids(), b.rows(), b.length())).toFloatArray();
      int v = task.vocab();
      for (int i = 0; i < b.targets().length; i++) {
        if (b.targets()[i] >= 0) {
          count++;
          if (argmax(logits, i * v, v) == b.targets()[i]) {
            hits++;
          }
        }
      }
    }
    return (double) hits / count;
  }

  // ---- 5. Shakespeare ----

  private void shakespeare(String text) {
    TreeSet<Character> chars = new TreeSet<>();
    for (int i = 0; i < text.length(); i++) {
      chars.add(text.charAt(i));
    }
    int[] index = new int[Character.MAX_VALUE + 1];
    int k = 0;
    for (char c : chars) {
      index[c] = k++;
    }
    int vocab = chars.size();
    results.shakespeareVocab = vocab;
    int[] ids = new int[text.length()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = index[text.charAt(i)];
    }
    int split = (int) (ids.length * 0.9); // nanoGPT's split: the first 90 % train, the rest val
    int t = config.shakespeareBlock();
    int b = config.shakespeareBatch();
    // Fixed validation windows, evenly spaced over the held-out tenth.
    int windows = config.valWindows();
    int[] valIds = new int[windows * t];
    int[] valTargets = new int[windows * t];
    int span = ids.length - split - t - 1;
    for (int w = 0; w < windows; w++) {
      int at = split + (int) ((long) span * w / Math.max(1, windows - 1));
      System.arraycopy(ids, at, valIds, w * t, t);
      System.arraycopy(ids, at + 1, valTargets, w * t, t);
    }
    long ticks = Math.round(config.shakespeareSeconds() * 10) * Arch.values().length;
    ProgressBar bar = new ProgressBar(log, ticks, 0, terminal);
    long tickBase = 0;
    int threads = config.threads()[config.threads().length - 1];
    try (ComputeBackend backend = backends.create(threads, false)) {
      Ops ops = new Ops(backend);
      for (Arch arch : Arch.values()) {
        StudyLm lm = StudyModels.build(ops, config, arch, vocab, t);
        results.parameters
            .computeIfAbsent("5: Shakespeare (V " + vocab + ", " + t + " positions)",
                key -> new EnumMap<>(Arch.class))
            .put(arch, lm.params().count());
        Trainer trainer = new Trainer(ops, lm, vocab);
        Rng rng = new Rng(config.seed());
        List<double[]> curve = new ArrayList<>();
        curve.add(new double[] {0, trainer.loss(valIds, valTargets, windows, t, b)});
        double trained = 0;
        double nextEval = config.shakespeareEvalSeconds();
        long steps = 0;
        long tokens = 0;
        long shown = 0;
        while (trained < config.shakespeareSeconds()) {
          int[] x = new int[b * t];
          int[] y = new int[b * t];
          for (int r = 0; r < b; r++) {
            int at = rng.nextInt(split - t - 1);
            System.arraycopy(ids, at, x, r * t, t);
            System.arraycopy(ids, at + 1, y, r * t, t);
          }
          long s = System.nanoTime();
          double loss = trainer.step(x, y, b, t, (int) steps);
          trained += (System.nanoTime() - s) / 1e9;
          steps++;
          tokens += (long) b * t;
          // Whole tenths of the budget, so the bar reaches its end only when the budget is spent.
          long tick =
              Math.min(Math.round(config.shakespeareSeconds() * 10), (long) Math.floor(trained * 10));
          bar.update(tickBase + tick, loss, (long) b * t, arch.label + " step " + steps);
          shown = tickBase + tick;
          if (trained >= nextEval || trained >= config.shakespeareSeconds()) {
            curve.add(new double[] {trained, trainer.loss(valIds, valTargets, windows, t, b)});
            nextEval += config.shakespeareEvalSeconds();
          }
        }
        tickBase += Math.round(config.shakespeareSeconds() * 10);
        if (shown < tickBase) { // the budget ended between two tenths
          bar.update(tickBase, curve.get(curve.size() - 1)[1], 0, arch.label + " done");
        }
        results.valCurve.put(arch, curve);
        results.shakespeareWork.put(arch, new long[] {steps, tokens});
      }
    }
    bar.newline();
  }

  // ---- Helpers ----

  private static int[] randomBatch(Rng rng, int b, int t, int vocab) {
    int[] x = new int[b * t];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextInt(vocab);
    }
    return x;
  }

  static int argmax(float[] v) {
    return argmax(v, 0, v.length);
  }

  static int argmax(float[] v, int from, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (v[from + i] > v[from + best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * One model's training loop: AdamW (β 0.9, 0.99, no decay), a linear warmup of 20 steps, global
   * gradient clipping at 1, cross-entropy over the targets that are not -100.
   */
  final class Trainer {
    private final Ops ops;
    private final StudyLm lm;
    private final int vocab;
    private final AdamW adam = new AdamW(0.9, 0.99, 1e-8, 0.0, false);
    private final GradientBuffer grads = new GradientBuffer();

    Trainer(Ops ops, StudyLm lm, int vocab) {
      this.ops = ops;
      this.lm = lm;
      this.vocab = vocab;
    }

    /** A next-token step on {@code ids} (B·T): targets are the ids shifted by one (last ignored). */
    double step(int[] ids, int b, int t, int stepIndex) {
      return step(ids, b, t, stepIndex, null);
    }

    double step(int[] ids, int b, int t, int stepIndex, Runnable afterForward) {
      int[] targets = new int[ids.length];
      for (int r = 0; r < b; r++) {
        for (int i = 0; i < t; i++) {
          targets[r * t + i] = i + 1 < t ? ids[r * t + i + 1] : -100;
        }
      }
      return step(ids, targets, b, t, stepIndex, afterForward);
    }

    double step(int[] ids, int[] targets, int b, int t, int stepIndex) {
      return step(ids, targets, b, t, stepIndex, null);
    }

    private double step(int[] ids, int[] targets, int b, int t, int stepIndex, Runnable afterForward) {
      double loss;
      try (Tape tape = ops.record()) {
        tape.watch(lm.params().values());
        Tensor logits = lm.logits(ops.ids(ids, b, t)); // (B, T, V)
        Tensor l = ops.crossEntropy(ops.reshape(logits, b * t, vocab), ops.ids(targets, b * t), -100, 0f);
        if (afterForward != null) {
          afterForward.run();
        }
        Gradients g = tape.backward(l);
        grads.add(lm.params(), g, 1f);
        loss = l.item();
      }
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException(
            "study: " + lm.arch().label + " diverged (loss " + loss + ") at step " + stepIndex);
      }
      grads.clipGlobalNorm(1.0);
      double lr = config.learningRate() * Math.min(1.0, (stepIndex + 1) / 20.0);
      adam.step(lm.params(), grads, lr);
      grads.clear();
      return loss;
    }

    /** Mean next-token loss over {@code rows} rows of T, in batches of {@code b}, no tape. */
    double loss(int[] ids, int[] targets, int rows, int t, int b) {
      double sum = 0;
      int n = 0;
      for (int r = 0; r < rows; r += b) {
        int m = Math.min(b, rows - r);
        int[] x = Arrays.copyOfRange(ids, r * t, (r + m) * t);
        int[] y = Arrays.copyOfRange(targets, r * t, (r + m) * t);
        Tensor logits = lm.logits(ops.ids(x, m, t));
        sum += ops.crossEntropy(ops.reshape(logits, m * t, vocab), ops.ids(y, m * t)).item() * m;
        n += m;
      }
      return sum / n;
    }
  }
}
