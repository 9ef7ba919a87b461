package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.checkpoint.TensorFile;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import io.github.transformers4j.training.optim.Parameter;
import io.github.transformers4j.training.optim.Sgd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  final Ops ops = TestOps.reference();
  @TempDir Path dir;

  static final int V = 12;

  /** A repeating pattern the tiny model can learn: i → i+1 mod V. */
  static int[] corpus() {
    int[] t = new int[400];
    for (int i = 0; i < t.length; i++) {
      t[i] = (i * 5 + (i / 37)) % V;
    }
    return t;
  }

  TrainerConfig config(long steps) {
    return new TrainerConfig(
        steps, 2, 1.0, LrSchedule.cosine(0.05, 0.005, 2, steps), 3, 2, 0, dir, 11, 0);
  }

  Trainer trainer(TinyLm model, TrainerConfig cfg) {
    return new Trainer(
        ops, model, new CausalLm(false), new AdamW(0.9, 0.99, 1e-8, 0.1, true), cfg, null);
  }

  @Test
  void anInterruptedAndResumedRunHasBitIdenticalLosses() throws Exception {
    int steps = 8;
    // Dropout on, accumulation 2, clipping, warmup + cosine: every piece of state matters.
    TrainerConfig cfg = config(steps);
    Path full = dir.resolve("full");
    var a =
        trainer(new TinyLm(ops, V, 8, V, 0.2f, 1), cfg.withOutput(full))
            .run(
                new BlockSampler(corpus(), 3, 6, 21),
                () -> new BlockSampler(corpus(), 3, 6, 99),
                false);
    Path split = dir.resolve("split");
    var first =
        trainer(new TinyLm(ops, V, 8, V, 0.2f, 1), cfg.withOutput(split).withStopAt(3))
            .run(
                new BlockSampler(corpus(), 3, 6, 21),
                () -> new BlockSampler(corpus(), 3, 6, 99),
                false);
    assertTrue(first.interrupted());
    assertEquals(3, first.step());
    // A fresh process: another initialization and another data seed, all replaced by the
    // checkpoint.
    var second =
        trainer(new TinyLm(ops, V, 8, V, 0.2f, 777), cfg.withOutput(split))
            .run(
                new BlockSampler(corpus(), 3, 6, 12345),
                () -> new BlockSampler(corpus(), 3, 6, 99),
                true);
    List<Double> resumed = new java.util.ArrayList<>(first.losses());
    resumed.addAll(second.losses());
    assertEquals(a.losses().size(), resumed.size());
    for (int i = 0; i < steps; i++) {
      assertEquals(
          Double.doubleToRawLongBits(a.losses().get(i)),
          Double.doubleToRawLongBits(resumed.get(i)),
          "step " + (i + 1) + ": " + a.losses().get(i) + " vs " + resumed.get(i));
    }
    assertEquals(
        Double.doubleToRawLongBits(a.lastValLoss()),
        Double.doubleToRawLongBits(second.lastValLoss()));
    TensorFile.Contents fa = TensorFile.read(full.resolve("checkpoint/model.safetensors"));
    TensorFile.Contents fb = TensorFile.read(split.resolve("checkpoint/model.safetensors"));
    for (String k : fa.tensors().keySet()) {
      assertArrayEquals(fa.tensors().get(k).data(), fb.tensors().get(k).data(), 0f, k);
    }
    // The metrics of the resumed run continue the interrupted one's (no duplicate steps).
    long lines =
        Files.readAllLines(split.resolve("metrics.jsonl")).stream()
            .filter(l -> l.contains("\"loss\""))
            .count();
    assertEquals(steps, lines);
    assertTrue(Files.size(split.resolve("loss.png")) > 1000);
  }

  @Test
  void trainingLowersTheLossAndWritesCheckpointMetricsAndPlot() throws Exception {
    TinyLm model = new TinyLm(ops, V, 8, V, 0f, 2);
    TrainerConfig cfg = config(30);
    var r =
        trainer(model, cfg)
            .run(
                new BlockSampler(corpus(), 4, 8, 1),
                () -> new BlockSampler(corpus(), 4, 8, 2),
                false);
    assertTrue(r.losses().get(29) < r.losses().get(0) * 0.7, r.losses().toString());
    assertTrue(Checkpoint.exists(dir.resolve("checkpoint")));
    assertEquals(30, Checkpoint.readState(dir.resolve("checkpoint")).step());
    byte[] png = Files.readAllBytes(dir.resolve("loss.png"));
    assertEquals((byte) 0x89, png[0]);
    assertEquals('P', png[1]);
    String metrics = Files.readString(dir.resolve("metrics.jsonl"));
    assertTrue(metrics.contains("\"val_loss\""), metrics);
    // A tampered checkpoint (files of different steps) is refused, naming the file.
    Path ck = dir.resolve("checkpoint");
    var c = TensorFile.read(ck.resolve("model.safetensors"));
    TensorFile.write(ck.resolve("model.safetensors"), c.tensors(), Map.of("step", "3"));
    var e =
        assertThrows(
            java.io.IOException.class,
            () -> Checkpoint.load(ck, model.parameterSet(), new AdamW(0.1)));
    assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
  }

  /** A source that repeats fixed batches. */
  static BatchSource fixed(Batch... batches) {
    return new BatchSource() {
      int i;

      @Override
      public Batch next() {
        return batches[i++ % batches.length];
      }

      @Override
      public Map<String, Long> state() {
        return Map.of("i", (long) i);
      }

      @Override
      public void restore(Map<String, Long> s) {
        i = (int) (long) s.get("i");
      }
    };
  }

  @Test
  void aStopRequestFromAnotherThreadCheckpointsAtTheNextStep() throws Exception {
    TinyLm model = new TinyLm(ops, V, 8, V, 0f, 2);
    Trainer t = trainer(model, config(50));
    // What the Ctrl-C hook does: request a stop while the loop runs.
    BlockSampler inner = new BlockSampler(corpus(), 2, 6, 1);
    BatchSource data =
        new BatchSource() {
          int n;

          @Override
          public Batch next() {
            if (++n == 5) {
              Thread th = new Thread(t::requestStop);
              th.start();
              try {
                th.join();
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
            }
            return inner.next();
          }

          @Override
          public Map<String, Long> state() {
            return inner.state();
          }

          @Override
          public void restore(Map<String, Long> s) {
            inner.restore(s);
          }
        };
    var r = t.run(data, null, false);
    assertTrue(r.interrupted());
    assertEquals(3, r.step(), "micro-batch 5 is in step 3 (accumulation 2)");
    assertEquals(3, Checkpoint.readState(dir.resolve("checkpoint")).step());
  }

  @Test
  void accumulatingTwoHalfBatchesEqualsOneFullBatch() {
    int[] rows = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 3, 5, 7, 9, 11, 1, 2, 4, 6, 8, 10, 0};
    Batch full = Batch.of(new IntGrid(4, 6, rows));
    Batch h1 = Batch.of(new IntGrid(2, 6, java.util.Arrays.copyOfRange(rows, 0, 12)));
    Batch h2 = Batch.of(new IntGrid(2, 6, java.util.Arrays.copyOfRange(rows, 12, 24)));
    TinyLm a = new TinyLm(ops, V, 8, V, 0f, 4);
    TinyLm b = new TinyLm(ops, V, 8, V, 0f, 4);
    TrainerConfig one = TrainerConfig.simple(3, 0.5, 1);
    new Trainer(ops, a, new CausalLm(false), new Sgd(0.9, 0, false), one, null)
        .run(fixed(full), null, false);
    new Trainer(ops, b, new CausalLm(false), new Sgd(0.9, 0, false), one.withAccumulation(2), null)
        .run(fixed(h1, h2), null, false);
    for (Parameter p : a.parameterSet()) {
      assertArrayEquals(
          p.get().toFloatArray(),
          b.parameterSet().get(p.name()).get().toFloatArray(),
          1e-5f,
          p.name());
    }
  }

  @Test
  void aNaNLossStopsNamingTheStepAndBatch() {
    TinyLm m = new TinyLm(ops, V, 4, V, 0f, 1);
    Parameter w = m.parameterSet().get("head.weight");
    float[] bad = w.get().toFloatArray();
    bad[0] = Float.NaN;
    var e =
        assertThrows(
            TrainingDivergedException.class,
            () -> {
              new Trainer(
                      ops,
                      m,
                      new CausalLm(false),
                      new Sgd(0, 0, false),
                      TrainerConfig.simple(5, 0.1, 1),
                      null)
                  .run(
                      new BatchSource() {
                        int step;

                        @Override
                        public Batch next() {
                          if (++step == 3) {
                            w.set(ops.tensor(bad, w.get().shape().dims()));
                          }
                          return Batch.of(new IntGrid(1, 4, new int[] {1, 0, 2, 3}));
                        }

                        @Override
                        public Map<String, Long> state() {
                          return Map.of();
                        }

                        @Override
                        public void restore(Map<String, Long> s) {}
                      },
                      null,
                      false);
            });
    assertEquals(3, e.step());
    assertTrue(
        e.getMessage().contains("step 3") && e.getMessage().contains("[1 0 2 3]"), e.getMessage());
  }

  @Test
  void aModelOnAnotherOpsFailsInsteadOfSilentlyNotLearning() {
    TinyLm m = new TinyLm(ops, V, 4, V, 0f, 1);
    Ops other = new Ops(ops.backend());
    io.github.transformers4j.training.objectives.TokenModel elsewhere =
        new io.github.transformers4j.training.objectives.TokenModel() {
          @Override
          public io.github.transformers4j.training.optim.ParameterSet parameterSet() {
            return m.parameterSet();
          }

          @Override
          public io.github.transformers4j.api.Tensor forward(
              Ops o,
              io.github.transformers4j.api.Tensor ids,
              io.github.transformers4j.api.Tensor mask,
              io.github.transformers4j.training.objectives.Forward pass) {
            return m.forward(other, ids, mask, pass);
          }
        };
    var e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new Trainer(
                        ops,
                        elsewhere,
                        new CausalLm(false),
                        new AdamW(0),
                        TrainerConfig.simple(2, 0.1, 1),
                        null)
                    .run(new BlockSampler(corpus(), 2, 6, 1), null, false));
    assertTrue(e.getMessage().contains("trainer's Ops"), e.getMessage());
  }

  @Test
  void tensorFileRoundTripsAndNamesTruncation() throws Exception {
    Path f = dir.resolve("t.safetensors");
    TensorFile.write(
        f,
        new java.util.LinkedHashMap<>(
            Map.of("a", new TensorFile.Entry(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}))),
        Map.of("step", "1"));
    var c = TensorFile.read(f);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.tensors().get("a").data());
    assertEquals("1", c.metadata().get("step"));
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 4));
    var e = assertThrows(java.io.IOException.class, () -> TensorFile.read(f));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
  }
}
