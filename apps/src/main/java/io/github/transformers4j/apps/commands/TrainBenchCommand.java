package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.Rng;
import io.github.transformers4j.training.models.GptLm;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j bench train}: training throughput (tokens/s of forward + backward + clipping + AdamW)
 * of a GPT in nanoGPT's char-level CPU setting on random tokens, after warm-up steps.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Training throughput of nanoGPT's char-level CPU GPT (tokens/s, fwd+bwd+AdamW).")
public final class TrainBenchCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--steps",
      converter = io.github.transformers4j.apps.cli.PositiveInt.class,
      defaultValue = "50",
      description = "Timed steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--warmup",
      converter = io.github.transformers4j.apps.cli.Numbers.NonNegativeInt.class,
      defaultValue = "20",
      description = "Untimed steps first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = {"--block"},
      converter = io.github.transformers4j.apps.cli.PositiveInt.class,
      defaultValue = "64",
      description = "Context (default ${DEFAULT-VALUE}).")
  int block;

  @Option(
      names = {"--batch"},
      converter = io.github.transformers4j.apps.cli.PositiveInt.class,
      defaultValue = "12",
      description = "Rows (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = {"--layers"},
      converter = io.github.transformers4j.apps.cli.PositiveInt.class,
      defaultValue = "4",
      description = "Blocks (default ${DEFAULT-VALUE}).")
  int layers;

  @Option(
      names = {"--width"},
      converter = io.github.transformers4j.apps.cli.PositiveInt.class,
      defaultValue = "128",
      description = "Width (default ${DEFAULT-VALUE}).")
  int width;

  @Option(
      names = {"--heads"},
      converter = io.github.transformers4j.apps.cli.PositiveInt.class,
      defaultValue = "4",
      description = "Heads (default ${DEFAULT-VALUE}).")
  int heads;

  /** The command over the global backend choice. */
  @Inject
  public TrainBenchCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() {
    java.io.PrintWriter out = spec.commandLine().getOut();
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      int vocab = 65;
      Gpt2Config cfg =
          new Gpt2Config(
              vocab,
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
              1);
      GptLm lm = new GptLm(new Gpt2Model(ops, cfg));
      Rng r = new Rng(3);
      int[] tokens = new int[200_000];
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = r.nextInt(vocab);
      }
      AdamW adam = new AdamW(0.9, 0.99, 1e-8, 0.1, true);
      BlockSampler data = new BlockSampler(tokens, batch, block, 1);
      new Trainer(ops, lm, new CausalLm(false), adam, config(warmup), null).run(data, null, false);
      long gc0 = gcMillis();
      long gcCount0 = gcCount();
      long t0 = System.nanoTime();
      Trainer.Result res =
          new Trainer(ops, lm, new CausalLm(false), adam, config(steps), null)
              .run(data, null, false);
      double secs = (System.nanoTime() - t0) / 1e9;
      double gcShare = (gcMillis() - gc0) / 10.0 / secs;
      out.printf(
          Locale.ROOT,
          "t4j %s: %d steps of %dx%d tokens in %.2f s: %.0f tokens/s (%.1f ms/step), last loss"
              + " %.4f; GC %.1f%% of the time (%d collections)%n",
          backend.name(),
          steps,
          batch,
          block,
          secs,
          res.tokens() / secs,
          1000 * secs / steps,
          res.losses().get(res.losses().size() - 1),
          gcShare,
          gcCount() - gcCount0);
      return 0;
    }
  }

  // Time the collectors report spending (pauses, and for G1 also its concurrent cycles).
  private static long gcMillis() {
    long ms = 0;
    for (java.lang.management.GarbageCollectorMXBean gc :
        java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
    }
    return ms;
  }

  private static long gcCount() {
    long n = 0;
    for (java.lang.management.GarbageCollectorMXBean gc :
        java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
  }

  private static TrainerConfig config(long steps) {
    return new TrainerConfig(steps, 1, 1.0, LrSchedule.constant(1e-3), 0, 0, 0, null, 7, 0);
  }
}
