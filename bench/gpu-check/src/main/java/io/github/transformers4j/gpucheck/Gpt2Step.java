package io.github.transformers4j.gpucheck;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.models.GptLm;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A GPT-2-shaped model's forward and training step (forward, backward, clipping, AdamW) on one
 * backend: timings, the logits of one batch and the losses of the steps, so that two backends
 * built from the same seed can be compared value for value.
 */
final class Gpt2Step {
  private Gpt2Step() {}

  /** The model and batch: GPT-2 small is {@code (50257, 1024, 768, 12, 12)} at B 4, T 256. */
  record Shape(int vocab, int positions, int width, int layers, int heads, int batch, int block) {
    static final Shape GPT2_SMALL = new Shape(50257, 1024, 768, 12, 12, 4, 256);
    static final Shape QUICK = new Shape(384, 64, 64, 2, 4, 2, 32);

    Gpt2Config config() {
      return new Gpt2Config(
          vocab, positions, width, layers, heads, 4 * width, Activation.GELU_TANH, 1e-5f, 0f, 0f,
          0f, 0.02, "sdpa", 1);
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d layers × %d wide, %d heads, vocabulary %d, B %d × T %d",
          layers,
          width,
          heads,
          vocab,
          batch,
          block);
    }
  }

  /**
   * What one backend did.
   *
   * @param logits the first forward's logits (B, T, V), flattened
   * @param forwardMillis the timed forwards (without reading the logits back)
   * @param readbackMillis reading the last timed forward's logits back to the host
   * @param stepMillis the timed training steps (after one untimed step)
   * @param losses every step's loss, the untimed one first
   */
  record Result(
      String backend,
      float[] logits,
      double[] forwardMillis,
      double readbackMillis,
      double[] stepMillis,
      List<Double> losses) {}

  /**
   * Runs the model on {@code backend}: one untimed forward (its logits are kept), up to {@code
   * forwards} timed ones, one untimed training step and up to {@code steps} timed ones. Timed
   * repetitions stop early, after at least one, once a part has used {@code budgetMillis}, so a
   * slow device still finishes; the comparison backend then runs exactly as many.
   */
  static Result run(
      ComputeBackend backend, Shape s, int forwards, int steps, long budgetMillis, PrintStream log) {
    Ops ops = new Ops(backend);
    long t0 = System.nanoTime();
    Gpt2Model model = new Gpt2Model(ops, s.config());
    log.printf(
        Locale.ROOT,
        "  gpt2 on %s: model built in %.1f s%n",
        backend.name(),
        (System.nanoTime() - t0) / 1e9);
    SplittableRandom r = new SplittableRandom(11);
    int[] ids = new int[s.batch() * s.block()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(s.vocab());
    }
    int[] mask = new int[ids.length];
    Arrays.fill(mask, 1);

    t0 = System.nanoTime();
    Tensor first = model.logits(ids, mask, s.batch());
    long t1 = System.nanoTime();
    float[] logits = first.toFloatArray();
    first.close();
    log.printf(
        Locale.ROOT,
        "  gpt2 on %s: first forward %.0f ms (compiles kernels)%n",
        backend.name(),
        (t1 - t0) / 1e6);
    List<Double> fwd = new ArrayList<>();
    double readback = 0;
    long start = System.nanoTime();
    while (fwd.size() < forwards
        && (fwd.isEmpty() || (System.nanoTime() - start) / 1e6 < budgetMillis)) {
      long a = System.nanoTime();
      Tensor out = model.logits(ids, mask, s.batch());
      long b = System.nanoTime();
      out.toFloatArray();
      readback = (System.nanoTime() - b) / 1e6;
      out.close();
      fwd.add((b - a) / 1e6);
    }

    int[] tokens = new int[Math.max(20_000, 4 * s.batch() * (s.block() + 1))];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = r.nextInt(s.vocab());
    }
    GptLm lm = new GptLm(model);
    AdamW adam = new AdamW(0.9, 0.95, 1e-8, 0.1, true);
    BlockSampler data = new BlockSampler(tokens, s.batch(), s.block(), 5);
    List<Double> losses = new ArrayList<>();
    Trainer.Result warm = trainer(ops, lm, adam, 1).run(data, null, false);
    losses.addAll(warm.losses());
    List<Double> stepMs = new ArrayList<>();
    start = System.nanoTime();
    while (stepMs.size() < steps
        && (stepMs.isEmpty() || (System.nanoTime() - start) / 1e6 < budgetMillis)) {
      long a = System.nanoTime();
      Trainer.Result res = trainer(ops, lm, adam, 1).run(data, null, false);
      stepMs.add((System.nanoTime() - a) / 1e6);
      losses.addAll(res.losses());
    }
    log.printf(
        Locale.ROOT,
        "  gpt2 on %s: forward %.0f ms median (+%.0f ms to read the logits back), training step"
            + " %.0f ms median; losses %s%n",
        backend.name(),
        median(array(fwd)),
        readback,
        median(array(stepMs)),
        losses);
    return new Result(
        backend.name(), logits, array(fwd), readback, array(stepMs), List.copyOf(losses));
  }

  private static Trainer trainer(Ops ops, GptLm lm, AdamW adam, long steps) {
    return new Trainer(
        ops,
        lm,
        new CausalLm(false),
        adam,
        new TrainerConfig(steps, 1, 1.0, LrSchedule.constant(3e-4), 0, 0, 0, null, 7, 0),
        null);
  }

  private static double[] array(List<Double> x) {
    return x.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static double median(double[] x) {
    if (x.length == 0) {
      return Double.NaN;
    }
    double[] s = x.clone();
    Arrays.sort(s);
    return Sgemm.median(s);
  }
}
