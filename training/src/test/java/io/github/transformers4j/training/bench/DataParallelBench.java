package io.github.transformers4j.training.bench;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.distributed.DataParallel;
import io.github.transformers4j.training.distributed.Replicas;
import io.github.transformers4j.training.models.GptLm;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measured scaling of data-parallel training (issue 15, item 6): the ring all-reduce's time and
 * bandwidth against the array size, and a training step split into compute and communication, in
 * local mode (replicas as threads of one JVM over loopback TCP). Opt-in: {@code
 * bench/data-parallel-scaling.sh} runs it.
 */
@EnabledIfSystemProperty(named = "t4j.bench", matches = "true")
class DataParallelBench {
  static final Duration T = Duration.ofSeconds(120);
  final StringBuilder report = new StringBuilder();

  void say(String fmt, Object... args) {
    String line = String.format(Locale.ROOT, fmt, args);
    System.out.println(line);
    report.append(line).append('\n');
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  @Test
  void allReduceAndStepSplit() throws Exception {
    say("## data-parallel scaling, %s", java.time.Instant.now());
    say(
        "cpu: %s, %d cores visible; load average at start %s",
        cpuName(),
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    allReduceSweep();
    Split small =
        stepSplit("nanoGPT CPU size (4 layers, 128 wide, block 64)", 128, 4, 4, 64, 8, 12, 5);
    Split large = stepSplit("GPT 6 layers, 384 wide, block 128", 384, 6, 6, 128, 3, 6, 3);
    projection(small);
    projection(large);
    say("load average at end %s", loadAverage());
    String out = System.getProperty("t4j.bench.out");
    if (out != null) {
      Files.writeString(
          Path.of(out),
          report.toString(),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  /** Fitted from the N = 2 sweep: seconds per ring step for a tiny array, best bus bytes/s. */
  double alpha = Double.NaN;
  double busBytesPerSecond = 0;

  /** One model's measured step: parameters, one replica's compute, the exchange in the step. */
  record Split(String name, long params, double compute, double exchange, double step2) {}

  void allReduceSweep() throws Exception {
    say("");
    say("### ring all-reduce, replicas as threads over loopback TCP (median of repeats)");
    say("");
    say("| N | floats | MB | time ms | algorithm GB/s (size/time) | bus GB/s (2(N-1)/N size/time) |");
    say("|---|---|---|---|---|---|");
    int[] sizes = {1 << 10, 1 << 14, 1 << 17, 1 << 20, 1 << 22, 1 << 24};
    for (int n : new int[] {2, 4}) {
      for (int len : sizes) {
        int reps = len >= 1 << 22 ? 9 : len >= 1 << 17 ? 15 : 60;
        List<double[]> times =
            Replicas.run(
                n,
                T,
                c -> {
                  float[] a = new float[len];
                  SplittableRandom r = new SplittableRandom(c.rank());
                  for (int i = 0; i < len; i++) {
                    a[i] = (float) r.nextDouble();
                  }
                  for (int w = 0; w < 3; w++) {
                    c.allReduceSum(a);
                  }
                  double[] t = new double[reps];
                  for (int k = 0; k < reps; k++) {
                    c.barrier();
                    long t0 = System.nanoTime();
                    c.allReduceSum(a);
                    t[k] = (System.nanoTime() - t0) / 1e9;
                  }
                  return t;
                });
        double sec = median(times.get(0));
        double bytes = 4.0 * len;
        if (n == 2 && len == sizes[0]) {
          alpha = sec / (2.0 * (n - 1)); // 2(N-1) ring steps, each one latency
        }
        if (n == 2 && len >= 1 << 17) {
          busBytesPerSecond = Math.max(busBytesPerSecond, 2.0 * (n - 1) / n * bytes / sec);
        }
        say(
            "| %d | %d | %.3f | %.3f | %.3f | %.3f |",
            n,
            len,
            bytes / 1e6,
            sec * 1e3,
            bytes / sec / 1e9,
            2.0 * (n - 1) / n * bytes / sec / 1e9);
      }
    }
  }

  static int[] corpus(int vocab) {
    SplittableRandom r = new SplittableRandom(7);
    int[] t = new int[200_000];
    for (int i = 0; i < t.length; i++) {
      t[i] = r.nextInt(vocab);
    }
    return t;
  }

  static Ops cpu(int threads) {
    return new Ops(
        Backends.installed()
            .create("cpu", BackendOptions.none().with("threads", Integer.toString(threads))));
  }

  static GptLm model(Ops ops, int width, int layers, int heads, int block) {
    return new GptLm(
        new Gpt2Model(
            ops,
            new Gpt2Config(
                65,
                block,
                width,
                layers,
                heads,
                4 * width,
                Activation.GELU_TANH,
                1e-5f,
                0f,
                0f,
                0f,
                0.02,
                "sdpa",
                1L)));
  }

  static Trainer trainer(Ops ops, GptLm m, long steps) {
    return new Trainer(
        ops,
        m,
        new CausalLm(false),
        new AdamW(0.9, 0.99, 1e-8, 0.1, true),
        TrainerConfig.simple(steps, 1e-3, 3).withClip(1.0),
        null);
  }

  /** Seconds per step of one replica with {@code threads} threads and batch {@code batch}. */
  static double single(
      int width, int layers, int heads, int block, int batch, int threads, int steps) {
    Ops ops = cpu(threads);
    GptLm m = model(ops, width, layers, heads, block);
    long t0 = System.nanoTime();
    trainer(ops, m, steps).run(new BlockSampler(corpus(65), batch, block, 2), null, false);
    return (System.nanoTime() - t0) / 1e9 / steps;
  }

  /** Seconds per step and exchange seconds per step of 2 replicas with 1 thread each. */
  static double[] replicated(int width, int layers, int heads, int block, int b, int steps)
      throws Exception {
    List<double[]> rep =
        Replicas.run(
            2,
            T,
            c -> {
              Ops ops = cpu(1);
              GptLm m = model(ops, width, layers, heads, block);
              DataParallel dp = new DataParallel(c);
              long t0 = System.nanoTime();
              trainer(ops, m, steps)
                  .dataParallel(dp)
                  .run(new BlockSampler(corpus(65), b, block, 20 + c.rank()), null, false);
              double step = (System.nanoTime() - t0) / 1e9 / steps;
              return new double[] {step, dp.communicationNanos() / 1e9 / steps};
            });
    return new double[] {
      Math.max(rep.get(0)[0], rep.get(1)[0]), (rep.get(0)[1] + rep.get(1)[1]) / 2
    };
  }

  Split stepSplit(
      String name, int width, int layers, int heads, int block, int steps, int batch, int rounds)
      throws Exception {
    int b = batch / 2;
    long params = model(cpu(1), width, layers, heads, block).parameterSet().count();
    say("");
    say(
        "### %s: %,d parameters (%.1f MB of gradient), batch %d = 2 replicas x %d",
        name, params, params * 4 / 1e6, batch, b);
    say("");
    // Warm-up of every configuration (JIT), then rounds A B C A B C ..., medians.
    single(width, layers, heads, block, batch, 2, 2);
    single(width, layers, heads, block, b, 1, 2);
    replicated(width, layers, heads, block, b, 2);
    double[] a = new double[rounds];
    double[] c1 = new double[rounds];
    double[] r2 = new double[rounds];
    double[] ex = new double[rounds];
    for (int k = 0; k < rounds; k++) {
      a[k] = single(width, layers, heads, block, batch, 2, steps);
      double[] r = replicated(width, layers, heads, block, b, steps);
      r2[k] = r[0];
      ex[k] = r[1];
      c1[k] = single(width, layers, heads, block, b, 1, steps);
    }
    double one2 = median(a);
    double one1half = median(c1);
    double step2 = median(r2);
    double comm = median(ex);
    say("%d rounds of %d steps each, medians; load average now %s", rounds, steps, loadAverage());
    say("");
    say("| run | s/step | of which exchange | tokens/s |");
    say("|---|---|---|---|");
    say(
        "| 1 replica, 2 threads, batch %d | %.3f | - | %.0f |",
        batch, one2, batch * block / one2);
    say(
        "| 1 replica, 1 thread, batch %d (one replica's compute) | %.3f | - | %.0f |",
        b, one1half, b * block / one1half);
    say(
        "| 2 replicas x 1 thread, batch %d each | %.3f | %.3f (%.0f%%) | %.0f |",
        b, step2, comm, 100 * comm / step2, batch * block / step2);
    say("all rounds, s/step: 1x2 threads %s; 2 replicas %s (exchange %s); 1x1 thread %s",
        Arrays.toString(round(a)), Arrays.toString(round(r2)), Arrays.toString(round(ex)),
        Arrays.toString(round(c1)));
    return new Split(name, params, one1half, comm, step2);
  }

  /**
   * The ring's time on N nodes, t(N) = 2(N-1)·alpha + 2(N-1)/N · S / B, with alpha and B fitted
   * from the N = 2 sweep (B capped by the link), plus the straggler wait seen in the measured step
   * (its exchange beyond the fitted ring time, kept constant in N: optimistic for large N). A step
   * costs compute + exchange, accumulation A multiplies the compute per exchange, and overlapping
   * the exchange with the backward pass (not implemented) would hide up to 2/3 of the compute.
   */
  void projection(Split m) {
    double bytes = 4.0 * m.params();
    double fitted2 = 2 * alpha + bytes / busBytesPerSecond;
    double wait = Math.max(0, m.exchange() - fitted2);
    say("");
    say(
        "### projection for %s: %.1f MB of gradient, one replica's compute %.3f s/step",
        m.name(), bytes / 1e6, m.compute());
    say("");
    say(
        "fitted from the sweep: latency %.3f ms per ring step, ring bandwidth %.2f GB/s (this"
            + " machine's loopback, CPU-bound); N = 2 ring time %.1f ms predicted, %.1f ms measured"
            + " in the step (so %.1f ms of waiting for the slower replica)",
        alpha * 1e3, busBytesPerSecond / 1e9, fitted2 * 1e3, m.exchange() * 1e3, wait * 1e3);
    say("");
    say("| link | N | exchange ms | efficiency A=1 | A=8 | A=1 with overlap | speed-up A=1 |");
    say("|---|---|---|---|---|---|---|");
    // 1 GbE; 10 GbE as far as the ring measured here can fill it; 25 GbE assuming the ring's CPU
    // side kept up (faster, quieter cores than these).
    double[] speeds = {0.125e9, Math.min(busBytesPerSecond, 1.25e9), 3.125e9};
    String[] labels = {
      "1 GbE, 0.125 GB/s",
      String.format(Locale.ROOT, "10 GbE, ring at %.2f GB/s", speeds[1] / 1e9),
      "25 GbE, 3.1 GB/s, ring keeping up (assumed)"
    };
    for (int li = 0; li < speeds.length; li++) {
      double bw = speeds[li];
      String label = labels[li];
      for (int n : new int[] {2, 4, 8, 16, 64}) {
        double t = 2 * (n - 1) * alpha + 2.0 * (n - 1) / n * bytes / bw + wait;
        double c = m.compute();
        double e1 = c / (c + t);
        double e8 = 8 * c / (8 * c + t);
        double eo = c / (c + Math.max(0, t - 2 * c / 3));
        say(
            "| %s | %d | %.1f | %.2f | %.2f | %.2f | %.1fx |",
            label, n, t * 1e3, e1, e8, eo, n * e1);
      }
    }
  }

  static double[] round(double[] xs) {
    double[] r = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      r[i] = Math.round(xs[i] * 1000) / 1000.0;
    }
    return r;
  }

  static String cpuName() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          String flags =
              Files.readString(Path.of("/proc/cpuinfo")).contains("avx512f")
                  ? "AVX-512"
                  : "no AVX-512";
          return l.substring(l.indexOf(':') + 1).trim() + " (" + flags + ")";
        }
      }
    } catch (java.io.IOException e) {
      // Not Linux: the JVM's name for it is all there is.
    }
    return System.getProperty("os.arch");
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown (no /proc/loadavg)";
    }
  }
}
