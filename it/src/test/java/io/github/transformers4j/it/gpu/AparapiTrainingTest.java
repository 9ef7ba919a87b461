package io.github.transformers4j.it.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.Probe;
import io.github.transformers4j.gpu.aparapi.AparapiBackend;
import io.github.transformers4j.gpu.aparapi.Transfers;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.Trainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 30-step char-GPT training run (2 layers, dropout 0.1, AdamW, clipping) on {@code aparapi}
 * gives the {@code cpu} backend's losses within 1e-3 at every step. Skipped, with the probe's
 * reason, without an OpenCL device, except on CI or with {@code -Dt4j.require.opencl=true}.
 */
class AparapiTrainingTest {
  private static final String TEXT =
      "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
          + "First Citizen:\nYou are all resolved rather to die than to famish?\n\nAll:\n"
          + "Resolved. resolved.\n\nFirst Citizen:\nFirst, you know Caius Marcius is chief enemy"
          + " to the people.\n\nAll:\nWe know't, we know't.\n";

  private static List<Double> train(ComputeBackend b, Path dir) throws Exception {
    return train(b, dir, 30);
  }

  private static List<Double> train(ComputeBackend b, Path dir, int steps) throws Exception {
    CharLm.Settings s =
        new CharLm.Settings(16, 4, 2, 2, 32, 0.1f, steps, 3e-3, 1e-4, 3, 0.99, 0.1, 1.0, 1, 1000, 1,
            0.1, 1337);
    try (OutputFolder f = OutputFolder.open(dir, CharLm.TASK, OutputFolder.Mode.NEW)) {
      Trainer.Result r = CharLm.train(new Ops(b), TEXT, s, f, false, null);
      return r.losses();
    }
  }

  @Test
  void thirtyStepsOfCharGptMatchCpuLosses(@TempDir Path tmp) throws Exception {
    Probe probe = Backends.installed().probe(Backends.installed().provider("aparapi"));
    if (!probe.available()) {
      System.out.println("SKIP aparapi training: " + probe.reason());
      if (AparapiResidencyTest.devicesRequired()) {
        throw new AssertionError(probe.reason() + " (required on CI, where PoCL is installed)");
      }
    }
    Assumptions.assumeTrue(probe.available(), probe.reason());
    List<Double> want;
    try (ComputeBackend cpu =
        Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"))) {
      want = train(cpu, tmp.resolve("cpu"));
    }
    List<Double> got;
    Transfers moved;
    try (AparapiBackend gpu =
        (AparapiBackend) Backends.installed().create("aparapi", BackendOptions.none())) {
      Transfers t0 = gpu.transfers();
      got = train(gpu, tmp.resolve("aparapi"));
      moved = gpu.transfers().minus(t0);
    }
    assertEquals(30, want.size());
    assertEquals(want.size(), got.size());
    double worst = 0;
    for (int i = 0; i < want.size(); i++) {
      double d = Math.abs(want.get(i) - got.get(i));
      worst = Math.max(worst, d);
      assertTrue(d <= 1e-3, "step " + (i + 1) + ": loss " + got.get(i) + " on aparapi, "
          + want.get(i) + " on cpu");
    }
    System.out.printf("[training] 30 steps: first loss %.4f, last %.4f, max |diff| vs cpu %.3g;"
        + " transfers over the run (with evaluation and checkpoints): %s%n", want.get(0),
        want.get(29), worst, moved);
    assertTrue(want.get(29) < want.get(0), "the run learns: " + want);
  }

  @Test
  void aTrainingStepMovesOnlyTheBatchAndTheLoss(@TempDir Path tmp) throws Exception {
    Probe probe = Backends.installed().probe(Backends.installed().provider("aparapi"));
    Assumptions.assumeTrue(probe.available(), probe.reason());
    // Two runs that differ only in their number of steps: setup, the evaluation at the last step
    // and the checkpoint move the same data, so the difference is what 3 steps move.
    Transfers[] runs = new Transfers[2];
    int[] steps = {4, 7};
    for (int i = 0; i < 2; i++) {
      try (AparapiBackend gpu =
          (AparapiBackend) Backends.installed().create("aparapi", BackendOptions.none())) {
        train(gpu, tmp.resolve("run" + i), steps[i]);
        runs[i] = gpu.transfers();
      }
    }
    Transfers three = runs[1].minus(runs[0]);
    System.out.println("[training] 3 steps move: " + three);
    int batchInts = 4 * 16; // batch 4 × block 16
    assertEquals(new Transfers(3 * 2, 3 * 2 * 4L * batchInts, 3, 3 * 2 * 4L), three,
        "per step: the inputs and the targets up (the positions are made once, the AdamW update,"
            + " the gradient sums and the clipping run on the device); one download of two floats,"
            + " the loss and the gradient norm (for metrics.jsonl), read together");
  }

  /** Gradients (3, 0) and (0, 4) times {@code k} on aparapi, summed into a buffer. */
  private static io.github.transformers4j.training.optim.GradientBuffer gradients(
      Ops ops, float k) {
    io.github.transformers4j.training.optim.ParameterSet ps =
        new io.github.transformers4j.training.optim.ParameterSet();
    ps.add(io.github.transformers4j.training.optim.Parameter.of("a", ops.tensor(new float[2], 2)));
    ps.add(io.github.transformers4j.training.optim.Parameter.of("b", ops.tensor(new float[2], 2)));
    var buffer = new io.github.transformers4j.training.optim.GradientBuffer();
    try (var tape = ops.record()) {
      tape.watch(ps.values());
      var loss =
          ops.add(
              ops.sum(ops.mul(ps.get("a").get(), ops.tensor(new float[] {3 * k, 0}, 2)), 0, false),
              ops.sum(ops.mul(ps.get("b").get(), ops.tensor(new float[] {0, 4 * k}, 2)), 0, false));
      buffer.add(ps, tape.backward(ops.reshape(loss, 1)), 1f);
    }
    return buffer;
  }

  @Test
  void clippingOnTheDeviceEqualsTheHostRuleAndReadsNothing() throws Exception {
    Probe probe = Backends.installed().probe(Backends.installed().provider("aparapi"));
    Assumptions.assumeTrue(probe.available(), probe.reason());
    try (AparapiBackend gpu =
        (AparapiBackend) Backends.installed().create("aparapi", BackendOptions.none())) {
      Ops ops = new Ops(gpu);
      var over = gradients(ops, 1f); // norm 5 > 1: scaled by 1 / (5 + 1e-6)
      assertTrue(over.allOnDevice());
      Transfers t0 = gpu.transfers();
      var squared = over.clipOnDevice(1.0);
      Transfers moved = gpu.transfers().minus(t0);
      assertEquals(new Transfers(0, 0, 0, 0), moved, "clipping on the device moves nothing");
      assertEquals(25f, squared.toFloatArray()[0], 1e-5f);
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          new float[] {3f / 5, 0f}, over.get("a"), 1e-6f);
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          new float[] {0f, 4f / 5}, over.get("b"), 1e-6f);
      var under = gradients(ops, 0.1f); // norm 0.5 <= 1: multiplied by exactly 1
      under.clipOnDevice(1.0);
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          new float[] {3 * 0.1f, 0f}, under.get("a"), 0f);
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          new float[] {0f, 4 * 0.1f}, under.get("b"), 0f);
      var host = new io.github.transformers4j.training.optim.GradientBuffer();
      host.add("a", new float[] {3f, 0f});
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalStateException.class, () -> host.clipOnDevice(1.0));
    }
  }

  @Test
  void sgdWithMomentumRunsOnTheDeviceAsOnTheHost() throws Exception {
    Probe probe = Backends.installed().probe(Backends.installed().provider("aparapi"));
    Assumptions.assumeTrue(probe.available(), probe.reason());
    float[] w0 = {0.5f, -1.25f, 2f, 0.75f};
    float[] c = {0.3f, -0.7f, 1.1f, 0.05f};
    for (boolean nesterov : new boolean[] {false, true}) {
      // The host rule, on arrays.
      var hostOpt = new io.github.transformers4j.training.optim.Sgd(0.9, 0.01, nesterov);
      float[] want;
      try (ComputeBackend cpu = Backends.installed().create("reference", BackendOptions.none())) {
        var hp = io.github.transformers4j.training.optim.Parameter.of(
            "w.weight", cpu.fromHost(w0.clone(), io.github.transformers4j.api.Shape.of(2, 2)));
        var hps = new io.github.transformers4j.training.optim.ParameterSet().add(hp);
        for (int step = 0; step < 3; step++) {
          var g = new io.github.transformers4j.training.optim.GradientBuffer();
          g.add("w.weight", c.clone());
          hostOpt.step(hps, g, 0.1);
        }
        want = hp.get().toFloatArray();
      }
      try (AparapiBackend gpu =
          (AparapiBackend) Backends.installed().create("aparapi", BackendOptions.none())) {
        Ops ops = new Ops(gpu);
        var p = io.github.transformers4j.training.optim.Parameter.of("w.weight",
            ops.tensor(w0.clone(), 2, 2));
        var ps = new io.github.transformers4j.training.optim.ParameterSet().add(p);
        var opt = new io.github.transformers4j.training.optim.Sgd(0.9, 0.01, nesterov);
        Transfers t0 = gpu.transfers();
        for (int step = 0; step < 3; step++) {
          var g = new io.github.transformers4j.training.optim.GradientBuffer();
          try (var tape = ops.record()) {
            tape.watch(ps.values());
            var loss = ops.sum(ops.reshape(ops.mul(p.get(), ops.tensor(c, 2, 2)), 4), 0, false);
            g.add(ps, tape.backward(ops.reshape(loss, 1)), 1f);
          }
          Transfers before = gpu.transfers();
          opt.step(ps, g, 0.1);
          assertEquals(new Transfers(0, 0, 0, 0), gpu.transfers().minus(before),
              "an SGD step on the device moves nothing");
          g.clear();
        }
        float[] got = p.get().toFloatArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, 1e-6f,
            "nesterov " + nesterov + ": SGD on aparapi equals the host loop");
        assertEquals(1, opt.state().size(), "the momentum buffer is read back for checkpoints");
      }
    }
  }
}
