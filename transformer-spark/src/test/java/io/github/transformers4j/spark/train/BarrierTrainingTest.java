package io.github.transformers4j.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.spark.LocalSpark;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.checkpoint.TensorFile;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.models.GptLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on a real local Spark ({@code local[2]}): two barrier tasks against one
 * process training on both shards' batches at once, and a run whose replica fails mid-way against
 * the uninterrupted one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BarrierTrainingTest {
  static final long SEED = 20261206L;
  @TempDir static Path dir;
  static Path data;
  static BarrierTraining.Outcome uninterrupted;

  static CharLmJob job(String out) {
    // A tiny GPT so that both tests stay within seconds of training on 2 shared cores.
    return CharLmJob.defaults(data.toString(), dir.resolve(out).toString(), 2)
        .withModel(1, 2, 16, 16, 4)
        .withSteps(12, 2)
        .withCheckpointEvery(4);
  }

  @BeforeAll
  static void text() throws Exception {
    String[] words = {
      "the", "house", "debate", "is", "closed", "we", "vote", "on", "report", "of", "mr",
      "commission", "council", "and", "agree", "with", "amendment", "to", "a", "motion"
    };
    SplittableRandom r = new SplittableRandom(SEED);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      StringBuilder sb = new StringBuilder();
      int n = 4 + r.nextInt(8);
      for (int w = 0; w < n; w++) {
        sb.append(w == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
      }
      lines.add(sb.append('.').toString());
    }
    data = dir.resolve("corpus.txt");
    Files.write(data, lines);
  }

  /** Concatenates the rows of one batch from each source: one process's batch of 2b. */
  static final class BothShards implements BatchSource {
    final BatchSource a;
    final BatchSource b;

    BothShards(BatchSource a, BatchSource b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public Batch next() {
      IntGrid x = a.next().inputs();
      IntGrid y = b.next().inputs();
      int[] d = new int[x.data().length + y.data().length];
      System.arraycopy(x.data(), 0, d, 0, x.data().length);
      System.arraycopy(y.data(), 0, d, x.data().length, y.data().length);
      return Batch.of(new IntGrid(x.rows() + y.rows(), x.cols(), d));
    }

    @Override
    public Map<String, Long> state() {
      Map<String, Long> s = new HashMap<>();
      a.state().forEach((k, v) -> s.put("a." + k, v));
      b.state().forEach((k, v) -> s.put("b." + k, v));
      return s;
    }

    @Override
    public void restore(Map<String, Long> state) {
      throw new UnsupportedOperationException("the oracle never resumes");
    }
  }

  @Test
  @Order(1)
  void twoBarrierTasksTrainAsOneProcessWithTheBatchOfBoth() throws Exception {
    CharLmJob job = job("two");
    uninterrupted = BarrierTraining.run(LocalSpark.session(), job, false, System.out);
    assertEquals(1, uninterrupted.submissions());
    assertEquals(2, uninterrupted.reports().size());
    assertEquals(12, uninterrupted.step());

    // The oracle: one process, no Spark, no ring; batch 2b made of the two shards' batches.
    List<String> lines = Files.readAllLines(data);
    StringBuilder[] shard = {new StringBuilder(), new StringBuilder()};
    for (int i = 0; i < lines.size(); i++) {
      shard[(int) ((long) i * 2 / lines.size())].append(lines.get(i)).append('\n');
    }
    CharTokenizer tok = CharTokenizer.load(Path.of(job.output()).resolve("tokenizer.json"));
    Ops ops =
        new Ops(Backends.installed().create("cpu", BackendOptions.none().with("threads", "1")));
    GptLm lm = new GptLm(new Gpt2Model(ops, CharLm.gptConfig(tok.vocabSize(), job.settings())));
    CharLmJob single = job("oracle");
    Trainer.Result r =
        ReplicaTask.trainer(single, ops, lm)
            .run(
                new BothShards(
                    ReplicaTask.shardSource(job, tok.encode(shard[0].toString()), 0),
                    ReplicaTask.shardSource(job, tok.encode(shard[1].toString()), 1)),
                null,
                false);
    double worst = 0;
    for (ReplicaReport rep : uninterrupted.reports()) {
      assertEquals(12, rep.losses().length);
      for (int i = 0; i < 12; i++) {
        double d = Math.abs(r.losses().get(i) - rep.losses()[i]);
        worst = Math.max(worst, d);
        assertEquals(
            r.losses().get(i),
            rep.losses()[i],
            1e-5,
            "step " + (i + 1) + " of replica " + rep.rank() + " (seed " + SEED + ")");
      }
    }
    System.out.printf(
        "[BarrierTrainingTest] 2 barrier tasks vs 1 process with batch 2b: 12 steps, loss %.4f ->"
            + " %.4f, largest difference %.3g%n",
        r.losses().get(0), r.losses().get(11), worst);
    assertTrue(r.losses().get(11) < r.losses().get(0), "the run must learn: " + r.losses());
    TensorFile.Contents spark =
        TensorFile.read(Path.of(job.output()).resolve("checkpoint/model.safetensors"));
    TensorFile.Contents oracle =
        TensorFile.read(Path.of(single.output()).resolve("checkpoint/model.safetensors"));
    for (String k : oracle.tensors().keySet()) {
      assertArrayEquals(oracle.tensors().get(k).data(), spark.tensors().get(k).data(), 1e-4f, k);
    }
    // Replica 0 exported a model folder that the library loads.
    assertTrue(Files.exists(Path.of(job.output()).resolve("model.safetensors")));
    assertEquals(16, CharLm.load(ops, Path.of(job.output())).block());
  }

  @Test
  @Order(2)
  void aReplicaFailingMidRunIsRerunFromTheCheckpointAndEndsWithTheSameWeights() throws Exception {
    // Replica 1 throws at step 7; the last checkpoint is step 4.
    CharLmJob job = job("retried").withFailure(1, 7);
    BarrierTraining.Outcome o =
        BarrierTraining.run(LocalSpark.session(), job, false, System.out);
    System.out.printf(
        "[BarrierTrainingTest] retry: %d submission(s), failures %s; finished in stage attempt %d"
            + " from step %d%n",
        o.submissions(), o.failures(), o.reports().get(0).stageAttempt(),
        o.reports().get(0).startStep());
    assertTrue(Files.exists(Path.of(job.output()).resolve(ReplicaTask.FAILED_MARKER)));
    // Spark reran the stage itself, or the driver resubmitted: either way a second attempt.
    assertTrue(o.submissions() > 1 || o.reports().get(0).stageAttempt() > 0, o.toString());
    for (ReplicaReport rep : o.reports()) {
      assertEquals(4, rep.startStep(), "resumed from the checkpoint of step 4");
      assertEquals(12, rep.endStep());
      // The rerun's losses are the uninterrupted run's, bit for bit.
      double[] expected =
          java.util.Arrays.copyOfRange(uninterrupted.reports().get(rep.rank()).losses(), 4, 12);
      assertArrayEquals(expected, rep.losses(), 0.0, "replica " + rep.rank());
    }
    TensorFile.Contents a =
        TensorFile.read(Path.of(job("two").output()).resolve("checkpoint/model.safetensors"));
    TensorFile.Contents b =
        TensorFile.read(Path.of(job.output()).resolve("checkpoint/model.safetensors"));
    for (String k : a.tensors().keySet()) {
      assertArrayEquals(a.tensors().get(k).data(), b.tensors().get(k).data(), 0f, k);
    }
    assertEquals(12, Checkpoint.readState(Path.of(job.output()).resolve("checkpoint")).step());
  }

  @Test
  @Order(3)
  void badJobsFailNamingTheOption() {
    IllegalArgumentException full =
        assertThrows(
            IllegalArgumentException.class,
            () -> BarrierTraining.run(LocalSpark.session(), job("two"), false, null));
    assertTrue(full.getMessage().contains("is not empty; pass --resume"), full.getMessage());
    IllegalArgumentException many =
        assertThrows(
            IllegalArgumentException.class,
            () -> job("x").withWorkers(0));
    assertTrue(many.getMessage().contains("--workers"), many.getMessage());
  }
}
