package io.github.transformers4j.spark.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.transformers4j.training.BertRecipe;
import io.github.transformers4j.training.HfFolder;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.Seq2SeqRecipe;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.Datasets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Trains one of the training module's recipes ({@code mlm}, {@code seq2seq}, {@code classify})
 * with {@code workers} replicas as one Spark barrier stage, in the shape of {@link
 * BarrierTraining} (contiguous shards of the data's non-blank lines, a shuffle after the barrier
 * stage so that Spark reruns it, driver resubmission, resume from replica 0's checkpoint).
 *
 * <p>Before the barrier stage the driver reads the whole data once to learn what every replica
 * must share: the character vocabulary, the labels (classify) and the longest sequence (seq2seq,
 * which sizes the model's positions); a malformed line fails here, naming the file and line. It
 * then writes the tokenizer, {@code config.json} and {@code recipe.json} into the output folder,
 * so that the folder has the layout of {@code t4j train <task>}'s.
 */
public final class RecipeTraining {
  private RecipeTraining() {}

  /**
   * Runs {@code job} on {@code spark}.
   *
   * @param resume continue the run in the output folder; without it the folder must be absent or
   *     empty
   * @throws IllegalArgumentException when the data is malformed or too small for the workers, or
   *     the folder holds something else
   */
  public static BarrierTraining.Outcome run(
      SparkSession spark, RecipeJob job, boolean resume, PrintStream log) throws IOException {
    BarrierTraining.requireSlots(spark, job.workers());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<String> raw = jsc.textFile(job.data());
    JavaRDD<String> lines = raw.filter(l -> !l.isBlank());
    long count = lines.count();
    if (count < job.workers()) {
      throw new IllegalArgumentException(
          "--data "
              + job.data()
              + ": "
              + count
              + " non-blank lines for "
              + job.workers()
              + " workers; each worker trains on its own lines");
    }
    RecipeReplicaTask.Meta meta = meta(job, raw, lines);
    Path out = Path.of(job.output()).toAbsolutePath();
    prepare(out, job, meta, resume);
    JavaPairRDD<Integer, Tuple2<Long, String>> shards =
        BarrierTraining.shards(lines, count, job.workers());
    return BarrierTraining.submitUntilDone(
        shards,
        new RecipeReplicaTask(job.withOutput(out.toString()), meta),
        "train " + job.task(),
        job.attempts(),
        out,
        log);
  }

  /** What every replica must share, from one pass over the data (see the class comment). */
  static RecipeReplicaTask.Meta meta(RecipeJob job, JavaRDD<String> raw, JavaRDD<String> lines) {
    if (!job.pairs()) {
      return new RecipeReplicaTask.Meta(BarrierTraining.vocabulary(lines), List.of(), 0);
    }
    String[] f = job.fields();
    String data = job.data();
    JavaRDD<Datasets.Pair> pairs =
        raw.zipWithIndex()
            .filter(t -> !t._1().isBlank())
            .map(t -> RecipeReplicaTask.pair(job, f, t._1(), data + ":" + (t._2() + 1)));
    boolean classify = job.task().equals("classify");
    try {
      List<Integer> cps =
          pairs
              .flatMap(
                  p ->
                      (classify ? p.source() : p.source() + p.target())
                          .codePoints()
                          .distinct()
                          .boxed()
                          .iterator())
              .distinct()
              .collect();
      StringBuilder vocabulary = new StringBuilder();
      new TreeSet<>(cps).forEach(vocabulary::appendCodePoint);
      if (classify) {
        List<String> labels = new ArrayList<>(new TreeSet<>(pairs.map(p -> p.target()).distinct().collect()));
        if (labels.size() < 2) {
          throw new IllegalArgumentException(
              "--data " + data + " has " + labels.size() + " label(s) " + labels
                  + ", need at least 2");
        }
        return new RecipeReplicaTask.Meta(vocabulary.toString(), labels, 0);
      }
      // Char tokens: a source's length in code points, a target's plus its [EOS].
      int longest =
          pairs
              .map(
                  p ->
                      Math.max(
                          p.source().codePointCount(0, p.source().length()),
                          p.target().codePointCount(0, p.target().length()) + 1))
              .reduce(Math::max);
      return new RecipeReplicaTask.Meta(
          vocabulary.toString(), List.of(), Seq2SeqRecipe.maxPositions(Math.max(1, longest)));
    } catch (Exception e) { // Spark rethrows the task's IOException inside a SparkException
      if (e instanceof SparkException) {
        throw new IllegalArgumentException(
            "--data: " + BarrierTraining.rootMessage(e), e);
      }
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
  }

  /** Writes a new run's tokenizer, config.json and recipe.json, or checks a run to resume. */
  private static void prepare(Path out, RecipeJob job, RecipeReplicaTask.Meta meta, boolean resume)
      throws IOException {
    CharTokenizer tok = CharTokenizer.fit(meta.vocabulary(), true);
    if (resume) {
      if (!Checkpoint.exists(out.resolve("checkpoint"))) {
        throw new IllegalArgumentException(
            "--resume: "
                + out
                + " holds no checkpoint to continue ("
                + Checkpoint.missing(out.resolve("checkpoint"))
                + ")");
      }
      JsonObject recipe =
          new Gson()
              .fromJson(Files.readString(out.resolve(OutputFolder.RECIPE)), JsonObject.class);
      String task = recipe.get("task").getAsString();
      if (!task.equals(job.task())) {
        throw new IllegalArgumentException(
            "--resume: " + out + " holds a " + task + " run, not " + job.task());
      }
      CharTokenizer saved = CharTokenizer.load(out.resolve("tokenizer.json"));
      if (saved.vocabSize() != tok.vocabSize()
          || !java.util.Arrays.equals(
              saved.encode(meta.vocabulary()), tok.encode(meta.vocabulary()))) {
        throw new IllegalArgumentException(
            "--resume: " + out + " was trained on a vocabulary of " + saved.vocabSize()
                + " tokens, --data " + job.data() + " gives another of " + tok.vocabSize()
                + "; resume with the same data");
      }
      if (job.task().equals("classify")) {
        List<String> was = new ArrayList<>();
        recipe.getAsJsonArray("labels").forEach(e -> was.add(e.getAsString()));
        if (!was.equals(meta.labels())) {
          throw new IllegalArgumentException(
              "--resume: the labels of --data " + meta.labels() + " are not those the checkpoint"
                  + " in " + out + " was trained with " + was);
        }
      }
      return;
    }
    if (Files.exists(out)) {
      try (Stream<Path> s = Files.list(out)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException(
              "--output "
                  + out
                  + " is not empty; pass --resume to continue the run in it, or choose another"
                  + " folder");
        }
      }
    }
    Files.createDirectories(out);
    tok.save(out.resolve("tokenizer.json"));
    if (job.task().equals("seq2seq")) {
      Map<String, Object> config =
          RecipeReplicaTask.seq2seqConfig(tok, meta, job.seq2seq());
      HfFolder.writeJson(out.resolve("config.json"), config);
      OutputFolder.writeRecipe(
          out, Seq2SeqRecipe.TASK, "tokenizer.json", Map.of(Seq2SeqRecipe.MODEL_CONFIG, config));
    } else {
      boolean mlm = job.task().equals("mlm");
      List<String> labels = mlm ? List.of() : meta.labels();
      HfFolder.writeJson(
          out.resolve("config.json"),
          BertRecipe.configMap(
              BertRecipe.config(tok.vocabSize(), job.bert(), mlm ? 2 : labels.size()), labels));
      OutputFolder.writeRecipe(
          out,
          (mlm ? BertRecipe.Task.MLM : BertRecipe.Task.CLASSIFY).id(),
          "tokenizer.json",
          Map.of("labels", labels));
    }
  }
}
