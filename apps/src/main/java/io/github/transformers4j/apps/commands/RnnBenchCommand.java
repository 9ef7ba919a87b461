package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.models.rnn.Gru;
import io.github.transformers4j.models.rnn.Lstm;
import io.github.transformers4j.models.rnn.RecurrentConfig;
import io.github.transformers4j.models.rnn.RecurrentLayer;
import io.github.transformers4j.models.rnn.Rnn;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code t4j bench rnn}: forward+backward time of one recurrent layer (one layer, one direction,
 * batch-first, input size = hidden size, zero initial state, PyTorch's initialization), as
 * {@code torch.nn.LSTM} / {@code GRU} train it. Each run: the layer over a (B, T, H) input that
 * needs its gradient, the loss sum(output), the backward for the input and every weight. Prints
 * every run, then the median and the best of {@code --runs} runs after {@code --warmup} warm-up
 * runs, in the format of {@code bench/rnn_torch.py} (its PyTorch peer; {@code
 * bench/rnn-vs-torch.sh} runs both).
 */
@Command(
    name = "rnn",
    mixinStandardHelpOptions = true,
    description = "Forward+backward time of one LSTM, GRU or RNN layer (random weights).")
public final class RnnBenchCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "CELL",
      description = "lstm, gru or rnn (tanh).")
  String cell;

  @Option(names = "--batch", defaultValue = "32", converter = PositiveInt.class,
      description = "Batch rows B (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--steps", defaultValue = "128", converter = PositiveInt.class,
      description = "Sequence length T (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--hidden", defaultValue = "256", converter = PositiveInt.class,
      description = "Hidden size H, also the input size (default ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--runs", defaultValue = "11", converter = PositiveInt.class,
      description = "Timed runs; the median and the best are printed (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--warmup", defaultValue = "3",
      description = "Untimed runs first (default ${DEFAULT-VALUE}).")
  int warmup;

  /** The command over the global backend choice. */
  @Inject
  public RnnBenchCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!cell.equals("lstm") && !cell.equals("gru") && !cell.equals("rnn")) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "CELL: expected lstm, gru or rnn, got '" + cell + "'");
    }
    if (warmup < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--warmup: expected 0 or more, got " + warmup);
    }
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      RecurrentConfig config = RecurrentConfig.of(hidden, hidden);
      SplittableRandom rng = new SplittableRandom(7);
      RecurrentLayer layer = switch (cell) {
        case "lstm" -> new Lstm(ops, config, rng);
        case "gru" -> new Gru(ops, config, rng);
        default -> new Rnn(ops, config, Rnn.Nonlinearity.TANH, rng);
      };
      float[] data = new float[Math.multiplyExact(batch * steps, hidden)];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) rng.nextGaussian();
      }
      Tensor x = ops.tensor(data, batch, steps, hidden);
      double[] ms = new double[runs];
      for (int i = 0; i < warmup + runs; i++) {
        long t0 = System.nanoTime();
        float loss;
        try (Tape tape = ops.record()) {
          tape.watch(x);
          layer.parameters().values().forEach(tape::watch);
          Tensor sum = ops.sum(ops.reshape(layer.forward(x).output(), -1), 0, false);
          tape.backward(sum);
          loss = sum.toFloatArray()[0];
        }
        double took = (System.nanoTime() - t0) / 1e6;
        if (!Float.isFinite(loss)) {
          throw new IllegalStateException("the " + cell + " layer's loss is not finite: " + loss);
        }
        if (i >= warmup) {
          ms[i - warmup] = took;
          out.printf(Locale.ROOT, "run %d: %.1f ms%n", i - warmup + 1, took);
          out.flush();
        }
      }
      Arrays.sort(ms);
      double median = ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
      out.printf(Locale.ROOT,
          "t4j %s B=%d T=%d H=%d threads=%s forward+backward: median %.1f ms, best %.1f ms (%s)%n",
          cell, batch, steps, hidden,
          choice.threads().isPresent() ? String.valueOf(choice.threads().getAsInt()) : "default",
          median, ms[0], backend.description());
      return 0;
    }
  }
}
