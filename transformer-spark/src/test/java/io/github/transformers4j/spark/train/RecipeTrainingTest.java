package io.github.transformers4j.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.spark.LocalSpark;
import io.github.transformers4j.training.BertRecipe;
import io.github.transformers4j.training.Seq2SeqRecipe;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.checkpoint.TensorFile;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.BatchSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recipes as Spark barrier tasks on a real local Spark ({@code local[2]}): for mlm, seq2seq
 * and classify, two barrier tasks against one process that accumulates the two shards'
 * micro-batches (the exact counterpart, see {@code Trainer}'s class comment: replica r draws the
 * dropout and masking seeds of micro-batch r), dropout on for the BERT tasks; and a classify run
 * whose replica fails mid-way against the uninterrupted one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecipeTrainingTest {
  static final long SEED = 20261207L;
  static final int STEPS = 8;
  @TempDir static Path dir;
  static Path text;
  static Path labelled;
  static Path pairs;
  static BarrierTraining.Outcome classified;

  static final String[] WORDS = {
    "the", "house", "debate", "is", "closed", "we", "vote", "on", "report", "of", "mr",
    "commission", "council", "and", "agree", "with", "amendment", "to", "a", "motion"
  };

  @BeforeAll
  static void data() throws Exception {
    SplittableRandom r = new SplittableRandom(SEED);
    List<String> lines = new ArrayList<>();
    List<String> tsv = new ArrayList<>();
    List<String> jsonl = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      StringBuilder sb = new StringBuilder();
      List<String> words = new ArrayList<>();
      int n = 3 + r.nextInt(6);
      for (int w = 0; w < n; w++) {
        words.add(WORDS[r.nextInt(WORDS.length)]);
      }
      sb.append(String.join(" ", words));
      lines.add(sb + ".");
      tsv.add(sb + "\t" + (words.contains("vote") || words.contains("agree") ? "yes" : "no"));
      List<String> reversed = new ArrayList<>(words);
      java.util.Collections.reverse(reversed);
      jsonl.add(
          "{\"source\": \"" + sb + "\", \"target\": \"" + String.join(" ", reversed) + "\"}");
      if (i % 40 == 7) { // blank lines are skipped, as t4j train skips them
        lines.add("");
        tsv.add(" ");
        jsonl.add("");
      }
    }
    text = Files.write(dir.resolve("corpus.txt"), lines);
    labelled = Files.write(dir.resolve("labelled.tsv"), tsv);
    pairs = Files.write(dir.resolve("reverse.jsonl"), jsonl);
  }

  static RecipeJob job(String task, Path data, String out) {
    Map<String, String> o = new LinkedHashMap<>();
    // Tiny models and few steps: each run takes seconds on 2 shared cores.
    o.put("--width", "16");
    o.put("--heads", "2");
    o.put("--ffn", "32");
    o.put("--layers", "1");
    o.put("--batch", "4");
    o.put("--steps", Integer.toString(STEPS));
    o.put("--warmup", "2");
    o.put("--checkpoint-every", "4");
    o.put("--seed", Long.toString(SEED));
    if (!task.equals("seq2seq")) {
      o.put("--max-length", "16");
      o.put("--dropout", "0.1"); // dropout on: its seeds follow the micro-batch, as masking's
    }
    return RecipeJob.of(task, data.toString(), dir.resolve(out).toString(), 2, o);
  }

  /** One process's micro-batches: the first shard's, then the second's, in turn. */
  static final class Interleaved implements BatchSource {
    final BatchSource[] shards;
    long calls;

    Interleaved(BatchSource... shards) {
      this.shards = shards;
    }

    @Override
    public Batch next() {
      return shards[(int) (calls++ % shards.length)].next();
    }

    @Override
    public Map<String, Long> state() {
      Map<String, Long> s = new HashMap<>();
      for (int i = 0; i < shards.length; i++) {
        int r = i;
        shards[i].state().forEach((k, v) -> s.put(r + "." + k, v));
      }
      return s;
    }

    @Override
    public void restore(Map<String, Long> state) {
      throw new UnsupportedOperationException("the oracle never resumes");
    }
  }

  /**
   * What the driver must have found, computed here without Spark: the sorted distinct characters
   * of the text (mlm: with the newline that joins lines), the sorted labels, the positions.
   */
  static RecipeReplicaTask.Meta meta(RecipeJob job, List<String> lines) throws Exception {
    TreeSet<Integer> chars = new TreeSet<>();
    TreeSet<String> labels = new TreeSet<>();
    int longest = 1;
    if (job.task().equals("mlm")) {
      chars.add((int) '\n');
      lines.forEach(l -> l.codePoints().forEach(chars::add));
    } else {
      for (var p : RecipeReplicaTask.pairs(job, lines)) {
        p.source().codePoints().forEach(chars::add);
        if (job.task().equals("classify")) {
          labels.add(p.target());
        } else {
          p.target().codePoints().forEach(chars::add);
          longest = Math.max(longest, Math.max(p.source().length(), p.target().length() + 1));
        }
      }
    }
    StringBuilder v = new StringBuilder();
    chars.forEach(v::appendCodePoint);
    return new RecipeReplicaTask.Meta(
        v.toString(),
        new ArrayList<>(labels),
        job.task().equals("seq2seq") ? Seq2SeqRecipe.maxPositions(longest) : 0);
  }

  /** Runs {@code task} on 2 barrier tasks and checks it against the one-process oracle. */
  static BarrierTraining.Outcome twoTasksEqualOneProcess(String task, Path data) throws Exception {
    RecipeJob job = job(task, data, task);
    long t0 = System.nanoTime();
    BarrierTraining.Outcome o = RecipeTraining.run(LocalSpark.session(), job, false, System.out);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(1, o.submissions());
    assertEquals(2, o.reports().size());
    assertEquals(STEPS, o.step());

    List<String> lines = new ArrayList<>();
    Files.readAllLines(data).forEach(l -> {
      if (!l.isBlank()) {
        lines.add(l);
      }
    });
    List<List<String>> shard = List.of(new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < lines.size(); i++) {
      shard.get((int) ((long) i * 2 / lines.size())).add(lines.get(i));
    }
    RecipeReplicaTask.Meta meta = meta(job, lines);
    RecipeJob single = job(task, data, task + "-oracle");
    Ops ops = ReplicaTask.ops("cpu", 1);
    RecipeReplicaTask.Parts p0 = RecipeReplicaTask.parts(single, meta, ops, shard.get(0), 0, 2);
    RecipeReplicaTask.Parts p1 = RecipeReplicaTask.parts(single, meta, ops, shard.get(1), 1, 2);
    Files.createDirectories(Path.of(single.output()));
    Trainer.Result r =
        RecipeReplicaTask.trainer(single, ops, p0, 2)
            .run(new Interleaved(p0.source(), p1.source()), null, false);
    double worst = 0;
    for (ReplicaReport rep : o.reports()) {
      assertEquals(STEPS, rep.losses().length);
      for (int i = 0; i < STEPS; i++) {
        worst = Math.max(worst, Math.abs(r.losses().get(i) - rep.losses()[i]));
        assertEquals(
            r.losses().get(i),
            rep.losses()[i],
            1e-5,
            task + ": step " + (i + 1) + " of replica " + rep.rank() + " (seed " + SEED + ")");
      }
    }
    System.out.printf(
        "[RecipeTrainingTest] %s: 2 barrier tasks vs 1 process accumulating both shards: %d steps"
            + " in %.1f s, loss %.4f -> %.4f, largest difference %.3g%n",
        task, STEPS, seconds, r.losses().get(0), r.losses().get(STEPS - 1), worst);
    assertTrue(
        r.losses().get(STEPS - 1) < r.losses().get(0), task + " must learn: " + r.losses());
    TensorFile.Contents spark =
        TensorFile.read(Path.of(job.output()).resolve("checkpoint/model.safetensors"));
    TensorFile.Contents oracle =
        TensorFile.read(Path.of(single.output()).resolve("checkpoint/model.safetensors"));
    assertEquals(oracle.tensors().keySet(), spark.tensors().keySet());
    for (String k : oracle.tensors().keySet()) {
      assertArrayEquals(oracle.tensors().get(k).data(), spark.tensors().get(k).data(), 1e-4f, k);
    }
    return o;
  }

  @Test
  @Order(1)
  void mlmOnTwoBarrierTasksEqualsOneProcessAccumulatingBothShards() throws Exception {
    twoTasksEqualOneProcess("mlm", text);
    // Replica 0 exported a folder that the library loads as t4j train mlm's.
    BertRecipe.Loaded m = BertRecipe.load(ReplicaTask.ops("cpu", 1), dir.resolve("mlm"));
    assertEquals(BertRecipe.Task.MLM, m.task());
  }

  @Test
  @Order(2)
  void seq2seqOnTwoBarrierTasksEqualsOneProcessAccumulatingBothShards() throws Exception {
    twoTasksEqualOneProcess("seq2seq", pairs);
    Seq2SeqRecipe.Loaded m = Seq2SeqRecipe.load(ReplicaTask.ops("cpu", 1), dir.resolve("seq2seq"));
    assertTrue(m.maxNew() >= 63, "positions for twice the longest sequence, at least 64");
  }

  @Test
  @Order(3)
  void classifyOnTwoBarrierTasksEqualsOneProcessAccumulatingBothShards() throws Exception {
    classified = twoTasksEqualOneProcess("classify", labelled);
    BertRecipe.Loaded m = BertRecipe.load(ReplicaTask.ops("cpu", 1), dir.resolve("classify"));
    assertEquals(List.of("no", "yes"), m.labels());
  }

  @Test
  @Order(4)
  void aClassifyReplicaFailingMidRunIsRerunFromTheCheckpointWithTheSameWeights() throws Exception {
    // Replica 1 throws at step 6; the last checkpoint is step 4.
    RecipeJob job = job("classify", labelled, "classify-retried").withFailure(1, 6);
    BarrierTraining.Outcome o = RecipeTraining.run(LocalSpark.session(), job, false, System.out);
    assertTrue(Files.exists(Path.of(job.output()).resolve(ReplicaTask.FAILED_MARKER)));
    assertTrue(o.submissions() > 1 || o.reports().get(0).stageAttempt() > 0, o.toString());
    for (ReplicaReport rep : o.reports()) {
      assertEquals(4, rep.startStep(), "resumed from the checkpoint of step 4");
      assertEquals(STEPS, rep.endStep());
      double[] expected =
          Arrays.copyOfRange(classified.reports().get(rep.rank()).losses(), 4, STEPS);
      assertArrayEquals(expected, rep.losses(), 0.0, "replica " + rep.rank());
    }
    TensorFile.Contents a =
        TensorFile.read(dir.resolve("classify").resolve("checkpoint/model.safetensors"));
    TensorFile.Contents b =
        TensorFile.read(Path.of(job.output()).resolve("checkpoint/model.safetensors"));
    for (String k : a.tensors().keySet()) {
      assertArrayEquals(a.tensors().get(k).data(), b.tensors().get(k).data(), 0f, k);
    }
    assertEquals(STEPS, Checkpoint.readState(Path.of(job.output()).resolve("checkpoint")).step());
  }

  @Test
  @Order(5)
  void badDataAndOptionsFailNamingThem() throws Exception {
    Path broken = Files.write(dir.resolve("broken.tsv"), List.of("good\tyes", "no tab", "x\tno"));
    IllegalArgumentException tab =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RecipeTraining.run(
                    LocalSpark.session(), job("classify", broken, "broken"), false, null));
    assertTrue(tab.getMessage().contains("broken.tsv:2: expected text<TAB>label"), tab.getMessage());
    Path one = Files.write(dir.resolve("one.tsv"), List.of("a\tyes", "b\tyes", "c\tyes"));
    IllegalArgumentException label =
        assertThrows(
            IllegalArgumentException.class,
            () -> RecipeTraining.run(LocalSpark.session(), job("classify", one, "one"), false, null));
    assertTrue(label.getMessage().contains("1 label(s) [yes], need at least 2"), label.getMessage());
    IllegalArgumentException full =
        assertThrows(
            IllegalArgumentException.class,
            () -> RecipeTraining.run(LocalSpark.session(), job("mlm", text, "mlm"), false, null));
    assertTrue(full.getMessage().contains("is not empty; pass --resume"), full.getMessage());
    IllegalArgumentException val =
        assertThrows(
            IllegalArgumentException.class,
            () -> RecipeJob.of("mlm", "d", "o", 2, Map.of("--val-fraction", "0.1")));
    assertTrue(
        val.getMessage().contains("does not take --val-fraction: each replica's shard"),
        val.getMessage());
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> RecipeJob.of("classify", "d", "o", 2, Map.of("--positions", "learned")));
    assertTrue(unknown.getMessage().contains("unknown option '--positions'"), unknown.getMessage());
    IllegalArgumentException heads =
        assertThrows(
            IllegalArgumentException.class,
            () -> RecipeJob.of("seq2seq", "d", "o", 2, Map.of("--heads", "3")));
    assertTrue(heads.getMessage().contains("--width 64 must be divisible by --heads 3"));
  }

  @Test
  @Order(6)
  void resumeContinuesTheRunInTheFolderAndRefusesAnotherTask() throws Exception {
    RecipeJob done = job("classify", labelled, "classify");
    Map<String, String> more = new LinkedHashMap<>(done.options());
    more.put("--steps", "10");
    RecipeJob longer = RecipeJob.of("classify", labelled.toString(), done.output(), 2, more);
    BarrierTraining.Outcome o = RecipeTraining.run(LocalSpark.session(), longer, true, System.out);
    for (ReplicaReport rep : o.reports()) {
      assertEquals(STEPS, rep.startStep(), "resumed from the checkpoint of step " + STEPS);
      assertEquals(10, rep.endStep());
    }
    IllegalArgumentException other =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RecipeTraining.run(
                    LocalSpark.session(), job("mlm", text, "classify"), true, null));
    assertTrue(
        other.getMessage().contains("holds a classify run, not mlm"), other.getMessage());
  }

  /** One batch of 2b: the rows of one batch from each source, padded again to the longer. */
  static final class BothShards implements BatchSource {
    final BatchSource a;
    final BatchSource b;
    final int pad;

    BothShards(BatchSource a, BatchSource b, int pad) {
      this.a = a;
      this.b = b;
      this.pad = pad;
    }

    @Override
    public Batch next() {
      List<io.github.transformers4j.training.data.Example> rows = new ArrayList<>();
      for (Batch x : List.of(a.next(), b.next())) {
        int t = x.inputs().cols();
        int tt = x.targets().cols();
        for (int r = 0; r < x.inputs().rows(); r++) {
          int len = 0;
          while (len < t && x.mask().data()[r * t + len] == 1) {
            len++;
          }
          rows.add(
              new io.github.transformers4j.training.data.Example(
                  Arrays.copyOfRange(x.inputs().data(), r * t, r * t + len),
                  Arrays.copyOfRange(x.targets().data(), r * tt, r * tt + tt)));
        }
      }
      return io.github.transformers4j.training.data.ExampleBatches.pad(
          rows.toArray(new io.github.transformers4j.training.data.Example[0]), pad, -100);
    }

    @Override
    public Map<String, Long> state() {
      return Map.of();
    }

    @Override
    public void restore(Map<String, Long> state) {
      throw new UnsupportedOperationException("the oracle never resumes");
    }
  }

  @Test
  @Order(7)
  void classifyOnTwoTasksWithBatchBEqualsOneProcessWithBatch2b() throws Exception {
    // The form of the equivalence; dropout off, since a batch of 2b draws one dropout
    // generator where two micro-batches draw two.
    RecipeJob base = job("classify", labelled, "classify-2b");
    Map<String, String> o = new LinkedHashMap<>(base.options());
    o.put("--dropout", "0");
    RecipeJob job = RecipeJob.of("classify", labelled.toString(), base.output(), 2, o);
    BarrierTraining.Outcome spark = RecipeTraining.run(LocalSpark.session(), job, false, null);
    List<String> lines = new ArrayList<>();
    Files.readAllLines(labelled).forEach(l -> {
      if (!l.isBlank()) {
        lines.add(l);
      }
    });
    int half = lines.size() / 2; // an even count: shard 0 is the first half
    assertEquals(0, lines.size() % 2);
    RecipeReplicaTask.Meta meta = meta(job, lines);
    RecipeJob single = job.withOutput(dir.resolve("classify-2b-oracle").toString());
    Ops ops = ReplicaTask.ops("cpu", 1);
    var p0 = RecipeReplicaTask.parts(single, meta, ops, lines.subList(0, half), 0, 2);
    var p1 = RecipeReplicaTask.parts(single, meta, ops, lines.subList(half, lines.size()), 1, 2);
    Files.createDirectories(Path.of(single.output()));
    int pad = io.github.transformers4j.training.data.CharTokenizer.fit(meta.vocabulary(), true)
        .specials().pad();
    Trainer.Result r =
        RecipeReplicaTask.trainer(single, ops, p0, 1)
            .run(new BothShards(p0.source(), p1.source(), pad), null, false);
    double worst = 0;
    for (ReplicaReport rep : spark.reports()) {
      for (int i = 0; i < STEPS; i++) {
        worst = Math.max(worst, Math.abs(r.losses().get(i) - rep.losses()[i]));
        assertEquals(r.losses().get(i), rep.losses()[i], 1e-5, "step " + (i + 1));
      }
    }
    System.out.printf(
        "[RecipeTrainingTest] classify: 2 barrier tasks of batch 4 vs 1 process of batch 8:"
            + " largest loss difference %.3g over %d steps%n",
        worst, STEPS);
  }
}
