package io.github.transformers4j.training.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.layers.NormPlacement;
import io.github.transformers4j.models.seq2seq.EncoderDecoderConfig;
import io.github.transformers4j.models.seq2seq.EncoderDecoderModel;
import io.github.transformers4j.training.TestOps;
import io.github.transformers4j.training.TinyLm;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.models.EncoderDecoderLm;
import io.github.transformers4j.training.models.GptLm;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.objectives.MaskedLm;
import io.github.transformers4j.training.objectives.MlmMasker;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.objectives.Seq2Seq;
import io.github.transformers4j.training.objectives.SequenceClassification;
import io.github.transformers4j.training.objectives.Trainable;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import io.github.transformers4j.training.optim.Optimizer;
import io.github.transformers4j.training.optim.Parameter;
import io.github.transformers4j.training.optim.Sgd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas with micro-batch b against one with batch 2b (the rows of both replicas, replica
 * 0's first), for each objective the trainer runs; dropout off, gradient clipping on.
 */
class DataParallelTrainingTest {
  static final int STEPS = 20;
  static final int B = 2; // micro-batch per replica
  static final int V = 13;
  static final long SEED = 20261206L;
  static final Duration T = Duration.ofSeconds(60);
  @TempDir Path dir;

  /** A model and objective built afresh for each replica, each with its own backend. */
  record Kind(String name, Function<Ops, Trainable> model, Objective objective) {}

  /** What a run ends with. */
  record Run(List<Double> losses, Map<String, float[]> weights) {}

  /** Cycles through fixed batches; its position is the index. */
  static final class ListSource implements BatchSource {
    final List<Batch> batches;
    long index;

    ListSource(List<Batch> batches) {
      this.batches = batches;
    }

    @Override
    public Batch next() {
      return batches.get((int) (index++ % batches.size()));
    }

    @Override
    public Map<String, Long> state() {
      return Map.of("index", index);
    }

    @Override
    public void restore(Map<String, Long> state) {
      index = BatchSource.require(state, "index");
    }
  }

  static IntGrid grid(SplittableRandom r, int rows, int cols, int bound) {
    int[] d = new int[rows * cols];
    for (int i = 0; i < d.length; i++) {
      d[i] = 1 + r.nextInt(bound - 1); // 0 stays free as padding / start
    }
    return new IntGrid(rows, cols, d);
  }

  /** Rows of the sequence i -> i+5 mod (V-1), from random starts: learnable in a few steps. */
  static IntGrid pattern(SplittableRandom r, int rows, int cols) {
    int[] d = new int[rows * cols];
    for (int row = 0; row < rows; row++) {
      int start = r.nextInt(V - 1);
      for (int c = 0; c < cols; c++) {
        d[row * cols + c] = 1 + (start + 5 * c) % (V - 1);
      }
    }
    return new IntGrid(rows, cols, d);
  }

  static IntGrid rows(IntGrid a, IntGrid b) {
    if (a == null) {
      return null;
    }
    int[] d = new int[a.data().length + b.data().length];
    System.arraycopy(a.data(), 0, d, 0, a.data().length);
    System.arraycopy(b.data(), 0, d, a.data().length, b.data().length);
    return new IntGrid(a.rows() + b.rows(), a.cols(), d);
  }

  /** Replica 0's rows, then replica 1's: the batch of 2b a single replica sees. */
  static Batch concat(Batch a, Batch b) {
    return new Batch(
        rows(a.inputs(), b.inputs()),
        rows(a.mask(), b.mask()),
        rows(a.targets(), b.targets()),
        rows(a.targetMask(), b.targetMask()));
  }

  /** Per replica, {@code STEPS} batches of {@code B} rows for {@code kind}. */
  static List<List<Batch>> shards(String kind, int replicas) {
    SplittableRandom r = new SplittableRandom(SEED ^ kind.hashCode());
    List<List<Batch>> out = new ArrayList<>();
    for (int k = 0; k < replicas; k++) {
      List<Batch> s = new ArrayList<>();
      for (int i = 0; i < STEPS; i++) {
        s.add(
            switch (kind) {
              case "clm", "mlm" -> Batch.of(pattern(r, B, 6));
              case "classify" -> new Batch(grid(r, B, 5, V), null, grid(r, B, 1, 3), null);
              case "seq2seq" -> {
                // Padded sources; every target position real, so each row weighs the same.
                IntGrid src = grid(r, B, 5, V);
                int[] m = new int[B * 5];
                for (int row = 0; row < B; row++) {
                  int len = 3 + r.nextInt(3);
                  for (int c = 0; c < 5; c++) {
                    m[row * 5 + c] = c < len ? 1 : 0;
                    if (c >= len) {
                      src.data()[row * 5 + c] = 0;
                    }
                  }
                }
                // The task: copy the source's first four positions (learnable in 20 steps).
                int[] tgt = new int[B * 4];
                for (int row = 0; row < B; row++) {
                  System.arraycopy(src.data(), row * 5, tgt, row * 4, 4);
                }
                yield new Batch(
                    src, new IntGrid(B, 5, m), new IntGrid(B, 4, tgt), IntGrid.filled(B, 4, 1));
              }
              default -> throw new IllegalArgumentException(kind);
            });
      }
      out.add(s);
    }
    return out;
  }

  static Kind clm() {
    return new Kind(
        "clm",
        ops ->
            new GptLm(
                new Gpt2Model(
                    ops,
                    new Gpt2Config(
                        V, 8, 8, 1, 2, 16, Activation.GELU_TANH, 1e-5f, 0f, 0f, 0f, 0.05, "sdpa",
                        5L))),
        new CausalLm(false));
  }

  static Kind seq2seq() {
    return new Kind(
        "seq2seq",
        ops ->
            new EncoderDecoderLm(
                new EncoderDecoderModel(
                    ops,
                    new EncoderDecoderConfig(
                        V,
                        8,
                        2,
                        16,
                        1,
                        1,
                        8,
                        Activation.RELU,
                        EncoderDecoderConfig.Positions.SINUSOIDAL,
                        NormPlacement.PRE,
                        true,
                        0f,
                        0f,
                        1e-5f,
                        0.05,
                        0,
                        "sdpa",
                        7L))),
        new Seq2Seq(0, 0f));
  }

  static Kind classify() {
    return new Kind(
        "classify", ops -> new TinyLm(ops, V, 6, 3, 0f, 3).asClassifier(), new SequenceClassification());
  }

  static Kind mlm(float dropout) {
    return new Kind(
        "mlm",
        ops -> new TinyLm(ops, V, 6, V, dropout, 4),
        new MaskedLm(new MlmMasker(0.3, new SpecialTokens(0, -1, -1, 1, -1), V)));
  }

  static TrainerConfig config(int accumulation) {
    return new TrainerConfig(
        STEPS, accumulation, 5.0, LrSchedule.constant(5e-2), 0, 0, 0, null, SEED, 0);
  }

  static Trainer trainer(Ops ops, Trainable m, Kind k, TrainerConfig cfg) {
    // clm and seq2seq step with SGD, whose step is proportional to the gradient, so a wrong scale
    // of the summed gradient shows (Adam's step is nearly scale-free, and so is a clipped one).
    // classify and mlm step with AdamW at eps 1e-3, not 1e-8: with a tiny eps Adam turns float
    // noise around an exact zero gradient (an attention key's bias cancels in the softmax) into
    // steps of the full rate, so no two summation orders would end with close weights.
    Optimizer opt =
        k.name().equals("clm") || k.name().equals("seq2seq")
            ? new Sgd(0.9, 0.0, false)
            : new AdamW(0.9, 0.99, 1e-3, 0.01, false);
    return new Trainer(ops, m, k.objective(), opt, cfg, null);
  }

  static Map<String, float[]> weights(Trainable m) {
    Map<String, float[]> w = new LinkedHashMap<>();
    for (Parameter p : m.parameterSet()) {
      w.put(p.name(), p.get().toFloatArray());
    }
    return w;
  }

  static Run single(Kind k, List<Batch> batches, TrainerConfig cfg) {
    Ops ops = TestOps.reference();
    Trainable m = k.model().apply(ops);
    var r = trainer(ops, m, k, cfg).run(new ListSource(batches), null, false);
    return new Run(r.losses(), weights(m));
  }

  static List<Run> replicated(Kind k, List<List<Batch>> shards, TrainerConfig cfg)
      throws Exception {
    return Replicas.run(
        shards.size(),
        T,
        c -> {
          Ops ops = TestOps.reference();
          Trainable m = k.model().apply(ops);
          var r =
              trainer(ops, m, k, cfg)
                  .dataParallel(c)
                  .run(new ListSource(shards.get(c.rank())), null, false);
          return new Run(r.losses(), weights(m));
        });
  }

  static void assertSame(Run expected, List<Run> replicas, String what) {
    double worst = 0;
    for (Run got : replicas) {
      for (int i = 0; i < Math.min(STEPS, got.losses().size()); i++) {
        worst = Math.max(worst, Math.abs(expected.losses().get(i) - got.losses().get(i)));
      }
    }
    System.out.printf(
        "%s: %d replicas vs one, %d steps, largest loss difference %.3g (losses %.4f -> %.4f)%n",
        what,
        replicas.size(),
        STEPS,
        worst,
        expected.losses().get(0),
        expected.losses().get(STEPS - 1));
    for (int r = 0; r < replicas.size(); r++) {
      Run got = replicas.get(r);
      assertEquals(STEPS, got.losses().size());
      for (int i = 0; i < STEPS; i++) {
        assertEquals(
            expected.losses().get(i),
            got.losses().get(i),
            1e-5,
            what + ", replica " + r + ", step " + (i + 1) + " (seed " + SEED + ")");
      }
      for (var e : expected.weights().entrySet()) {
        // Every replica applied the same step: identical bits among replicas.
        assertArrayEquals(
            replicas.get(0).weights().get(e.getKey()),
            got.weights().get(e.getKey()),
            0f,
            what + ": replicas differ in " + e.getKey());
        assertArrayEquals(e.getValue(), got.weights().get(e.getKey()), 2e-4f, e.getKey());
      }
    }
    assertTrue(
        expected.losses().get(STEPS - 1) < expected.losses().get(0),
        what + " must learn something for the comparison to mean anything: " + expected.losses());
  }

  void twoReplicasOfBEqualOneOf2B(Kind k) throws Exception {
    List<List<Batch>> shards = shards(k.name(), 2);
    List<Batch> joined = new ArrayList<>();
    for (int i = 0; i < STEPS; i++) {
      joined.add(concat(shards.get(0).get(i), shards.get(1).get(i)));
    }
    assertSame(single(k, joined, config(1)), replicated(k, shards, config(1)), k.name());
  }

  @Test
  void clmTwoReplicasOfBEqualOneReplicaOf2B() throws Exception {
    twoReplicasOfBEqualOneOf2B(clm());
  }

  @Test
  void seq2seqTwoReplicasOfBEqualOneReplicaOf2B() throws Exception {
    twoReplicasOfBEqualOneOf2B(seq2seq());
  }

  @Test
  void classifyTwoReplicasOfBEqualOneReplicaOf2B() throws Exception {
    twoReplicasOfBEqualOneOf2B(classify());
  }

  /**
   * MLM draws its masks from one generator per micro-batch, so a batch of 2b is masked otherwise
   * than two batches of b; its exact counterpart is one replica accumulating the replicas'
   * micro-batches in rank order, which holds with dropout on too (the pass seeds are those of a
   * single run's micro-batches r·A+m).
   */
  @Test
  void mlmReplicasEqualOneReplicaAccumulatingTheirMicroBatchesWithDropoutOn() throws Exception {
    int n = 3;
    int accumulation = 2;
    Kind k = mlm(0.2f);
    List<List<Batch>> shards = new ArrayList<>();
    List<List<Batch>> raw = shards("mlm", n * accumulation);
    List<Batch> interleaved = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      List<Batch> s = new ArrayList<>();
      for (int i = 0; i < STEPS; i++) {
        for (int m = 0; m < accumulation; m++) {
          s.add(raw.get(r * accumulation + m).get(i));
        }
      }
      shards.add(s);
    }
    for (int i = 0; i < STEPS; i++) {
      for (int r = 0; r < n; r++) {
        for (int m = 0; m < accumulation; m++) {
          interleaved.add(raw.get(r * accumulation + m).get(i));
        }
      }
    }
    assertSame(
        single(k, interleaved, config(n * accumulation)),
        replicated(k, shards, config(accumulation)),
        "mlm");
  }

  @Test
  void replicasResumeFromReplicaZerosCheckpointAsIfNeverStopped() throws Exception {
    Kind k = clm();
    List<List<Batch>> shards = shards("clm", 2);
    TrainerConfig cfg = config(1).withCheckpointEvery(5);
    List<Run> full = replicated(k, shards, cfg.withOutput(dir.resolve("full")));
    Path split = dir.resolve("split");
    List<Run> first = replicated(k, shards, cfg.withOutput(split).withStopAt(7));
    assertEquals(7, first.get(0).losses().size());
    assertEquals(7, Checkpoint.readState(split.resolve("checkpoint")).step());
    var state = Checkpoint.readState(split.resolve("checkpoint")).train();
    assertEquals(Map.of("replicas", 2L, "r0.index", 7L, "r1.index", 7L), state);
    List<Run> rest =
        Replicas.run(
            2,
            T,
            c -> {
              Ops ops = TestOps.reference();
              // Another initialization: the checkpoint must replace it on every replica.
              Trainable m = new OtherInit(k).apply(ops);
              var r =
                  trainer(ops, m, k, cfg.withOutput(split))
                      .dataParallel(c)
                      .run(new ListSource(shards.get(c.rank())), null, true);
              return new Run(r.losses(), weights(m));
            });
    for (int r = 0; r < 2; r++) {
      List<Double> joined = new ArrayList<>(first.get(r).losses());
      joined.addAll(rest.get(r).losses());
      assertEquals(full.get(r).losses(), joined, "replica " + r);
      for (var e : full.get(r).weights().entrySet()) {
        assertArrayEquals(e.getValue(), rest.get(r).weights().get(e.getKey()), 0f, e.getKey());
      }
    }
    // Only replica 0 wrote: one metrics line per step, not two.
    long lines =
        Files.readAllLines(split.resolve("metrics.jsonl")).stream()
            .filter(l -> l.contains("\"loss\""))
            .count();
    assertEquals(STEPS, lines);
    // A single run cannot continue it: the data positions belong to the replicas' shards.
    Ops ops = TestOps.reference();
    Trainable m = k.model().apply(ops);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                trainer(ops, m, k, cfg.withOutput(split))
                    .run(new ListSource(shards.get(0)), null, true));
    assertTrue(
        e.getMessage().contains("trained by 2 replicas but this run has 1"), e.getMessage());
  }

  /** The same architecture with another seed, so resuming must load every weight. */
  record OtherInit(Kind k) implements Function<Ops, Trainable> {
    @Override
    public Trainable apply(Ops ops) {
      return new GptLm(
          new Gpt2Model(
              ops,
              new Gpt2Config(
                  V, 8, 8, 1, 2, 16, Activation.GELU_TANH, 1e-5f, 0f, 0f, 0f, 0.05, "sdpa",
                  999L)));
    }
  }
}
