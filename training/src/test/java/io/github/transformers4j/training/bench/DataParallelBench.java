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
    stepSplit("nanoGPT CPU size (4 layers, 128 wide, block 64)", 128, 4, 4, 64, 6, 12);
    stepSplit("GPT 6 layers, 384 wide, block 128", 384, 6, 6, 128, 2, 6);
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

  void allReduceSweep() throws Exception {
    say("");
    say("### ring all-reduce, replicas as threads over loopback TCP (median of repeats)");
    say("");
    say("| N | floats | MB | time ms | algorithm GB/s (size/time) | bus GB/s (2(N-1)/N size/time) |");
    say("|---|---|---|---|---|---|");
    int[] sizes = {1 << 10, 1 << 14, 1 << 17, 1 << 20, 1 << 22, 1 << 24};
    for (int n : new int[] {2, 4}) {
      for (int len : sizes) {
        int reps = len >= 1 << 22 ? 5 : len >= 1 << 17 ? 15 : 60;
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
  double single(int width, int layers, int heads, int block, int batch, int threads, int steps) {
    Ops ops = cpu(threads);
    GptLm m = model(ops, width, layers, heads, block);
    trainer(ops, m, 2).run(new BlockSampler(corpus(65), batch, block, 1), null, false);
    long t0 = System.nanoTime();
    trainer(ops, m, steps).run(new BlockSampler(corpus(65), batch, block, 2), null, false);
    return (System.nanoTime() - t0) / 1e9 / steps;
  }

  void stepSplit(String name, int width, int layers, int heads, int block, int steps, int batch)
      throws Exception {
    int b = batch / 2;
    long params;
    {
      Ops ops = cpu(1);
      params = model(ops, width, layers, heads, block).parameterSet().count();
    }
    say("");
    say(
        "### %s: %,d parameters (%.1f MB of gradient), batch %d = 2 replicas x %d",
        name, params, params * 4 / 1e6, batch, b);
    say("");
    double one2 = single(width, layers, heads, block, batch, 2, steps);
    double one1half = single(width, layers, heads, block, b, 1, steps);
    List<double[]> rep =
        Replicas.run(
            2,
            T,
            c -> {
              Ops ops = cpu(1);
              GptLm m = model(ops, width, layers, heads, block);
              trainer(ops, m, 2)
                  .dataParallel(c)
                  .run(new BlockSampler(corpus(65), b, block, 10 + c.rank()), null, false);
              DataParallel dp = new DataParallel(c);
              long t0 = System.nanoTime();
              trainer(ops, m, steps)
                  .dataParallel(dp)
                  .run(new BlockSampler(corpus(65), b, block, 20 + c.rank()), null, false);
              double step = (System.nanoTime() - t0) / 1e9 / steps;
              return new double[] {step, dp.communicationNanos() / 1e9 / steps};
            });
    double step2 = Math.max(rep.get(0)[0], rep.get(1)[0]);
    double comm = (rep.get(0)[1] + rep.get(1)[1]) / 2;
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
