package io.github.transformers4j.spark.train;

import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.HfFolder;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.data.CharTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Trains a char-level GPT on a text file with {@code workers} replicas as one Spark barrier stage.
 *
 * <p>The shape of the job: the lines of {@code --data} are numbered and cut into {@code workers}
 * contiguous shards (one partition each), the barrier stage runs one {@link ReplicaTask} per shard,
 * and its reports go through a shuffle to the driver. The shuffle makes the barrier stage a
 * shuffle-map stage: when one of its tasks fails, Spark kills the others and runs the whole stage
 * again (a failed barrier <em>result</em> stage would abort the job), up to {@code
 * spark.stage.maxConsecutiveAttempts}. Where Spark gives up instead (in local mode a task may fail
 * only once, {@code spark.task.maxFailures} 1), the driver submits the job again, up to {@code
 * attempts} in all. Either way a rerun resumes from replica 0's last checkpoint, and since the
 * checkpoint holds every replica's data position and the gradient sum is deterministic, it ends
 * with the weights of a run never interrupted.
 */
public final class BarrierTraining {
  private BarrierTraining() {}

  /**
   * What a run did.
   *
   * @param reports every replica's report from the attempt that finished, by rank
   * @param submissions jobs the driver submitted (1 when nothing failed or Spark retried itself)
   * @param failures the failure message of each submission that failed
   */
  public record Outcome(List<ReplicaReport> reports, int submissions, List<String> failures) {

    /** The step the run ended at. */
    public long step() {
      return reports.get(0).endStep();
    }
  }

  /**
   * Runs {@code job} on {@code spark}: prepares the output folder (or checks it when it holds a
   * run of the same job to continue), then submits the barrier job.
   *
   * @param resume continue the run in the output folder; without it the folder must be absent or
   *     empty
   * @throws IllegalArgumentException when the folder holds something else, or the data has too
   *     few lines for the workers
   */
  public static Outcome run(SparkSession spark, CharLmJob job, boolean resume, PrintStream log)
      throws IOException {
    requireSlots(spark, job.workers());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<String> lines = jsc.textFile(job.data());
    long count = lines.count();
    if (count < job.workers()) {
      throw new IllegalArgumentException(
          "--data "
              + job.data()
              + ": "
              + count
              + " lines for "
              + job.workers()
              + " workers; each worker trains on its own lines");
    }
    String vocabulary = vocabulary(lines);
    Path out = Path.of(job.output()).toAbsolutePath();
    prepare(out, job, vocabulary, resume);
    long total = count;
    int n = job.workers();
    JavaPairRDD<Integer, Tuple2<Long, String>> shards = shards(lines, total, n);
    return submitUntilDone(
        shards, new ReplicaTask(job.withOutput(out.toString()), vocabulary), "train clm",
        job.attempts(), out, log);
  }

  /**
   * Fails at once when a local master has fewer task slots than {@code workers}: Spark would wait
   * for slots that can never come (40 checks, 15 s apart) before failing.
   */
  static void requireSlots(SparkSession spark, int workers) {
    int slots =
        localSlots(
            spark.sparkContext().master(),
            spark.sparkContext().getConf().getInt("spark.task.cpus", 1),
            Runtime.getRuntime().availableProcessors());
    if (slots >= 0 && workers > slots) {
      throw new IllegalArgumentException(
          "--workers "
              + workers
              + " needs "
              + workers
              + " task slots at once (barrier mode), but "
              + spark.sparkContext().master()
              + " has "
              + slots
              + "; use --workers "
              + Math.max(1, slots)
              + " or a larger master");
    }
  }

  /**
   * The lines of {@code --data} numbered and cut into {@code n} contiguous shards of near-equal
   * size, shard {@code i} in partition {@code i}.
   */
  static JavaPairRDD<Integer, Tuple2<Long, String>> shards(JavaRDD<String> lines, long count, int n) {
    return lines
        .zipWithIndex()
        .mapToPair(new ShardOf(count, n))
        .partitionBy(new HashPartitioner(n)); // Integer keys 0..n-1 land in partition = key
  }

  /**
   * The lines of one shard as {@link #shards} made it, in their order in the file (a partition's
   * rows arrive in no particular order).
   */
  static List<String> shardLines(
      scala.collection.Iterator<Tuple2<Integer, Tuple2<Long, String>>> rows) {
    List<Tuple2<Long, String>> indexed = new ArrayList<>();
    scala.jdk.javaapi.CollectionConverters.asJava(rows).forEachRemaining(t -> indexed.add(t._2()));
    indexed.sort(java.util.Comparator.comparing(Tuple2::_1));
    List<String> lines = new ArrayList<>(indexed.size());
    indexed.forEach(t -> lines.add(t._2()));
    return lines;
  }

  /**
   * Submits the barrier job of {@code task} over {@code shards} until it succeeds, at most {@code
   * attempts} times in all; each rerun resumes from the checkpoint in {@code out} (see the class
   * comment).
   *
   * @param what the command, for messages ({@code train clm})
   */
  static Outcome submitUntilDone(
      JavaPairRDD<Integer, Tuple2<Long, String>> shards,
      scala.Function1<
              scala.collection.Iterator<Tuple2<Integer, Tuple2<Long, String>>>,
              scala.collection.Iterator<ReplicaReport>>
          task,
      String what,
      int attempts,
      Path out,
      PrintStream log) {
    List<String> failures = new ArrayList<>();
    for (int submission = 1; ; submission++) {
      try {
        List<ReplicaReport> reports = submit(shards, task);
        return new Outcome(reports, submission, failures);
      } catch (Exception e) { // Scala code throws SparkException without declaring it
        if (!(e instanceof SparkException)) {
          throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        String why = rootMessage(e);
        failures.add(why);
        boolean canResume = Checkpoint.exists(out.resolve("checkpoint"));
        if (submission >= attempts) {
          throw new IllegalStateException(
              what + ": the barrier stage failed "
                  + submission
                  + " time(s), the last time with: "
                  + why
                  + (canResume
                      ? "; the last checkpoint is in " + out + " (rerun with --resume)"
                      : ""),
              e);
        }
        if (log != null) {
          log.println(
              what + ": the barrier stage failed ("
                  + why
                  + "); submitting again"
                  + (canResume ? ", resuming from the last checkpoint" : ", from the start"));
        }
      }
    }
  }

  private static List<ReplicaReport> submit(
      JavaPairRDD<Integer, Tuple2<Long, String>> shards,
      scala.Function1<
              scala.collection.Iterator<Tuple2<Integer, Tuple2<Long, String>>>,
              scala.collection.Iterator<ReplicaReport>>
          task) {
    ClassTag<ReplicaReport> tag = ClassTag$.MODULE$.apply(ReplicaReport.class);
    RDD<ReplicaReport> trained =
        shards.rdd().barrier().mapPartitions(task, false, tag);
    // The shuffle after the barrier stage: see the class comment.
    List<Tuple2<Integer, ReplicaReport>> got =
        JavaRDD.fromRDD(trained, tag)
            .mapToPair(new ByRank())
            .partitionBy(new HashPartitioner(1))
            .collect();
    List<ReplicaReport> reports = new ArrayList<>();
    got.forEach(t -> reports.add(t._2()));
    reports.sort(Comparator.comparingInt(ReplicaReport::rank));
    return reports;
  }

  /**
   * Task slots of a local master ({@code local}, {@code local[N]}, {@code local[*]}, {@code
   * local[N,F]}) with {@code taskCpus} cores per task, or -1 for a cluster master, whose slots come
   * and go with its executors.
   */
  static int localSlots(String master, int taskCpus, int cores) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?\\])?").matcher(master);
    if (!m.matches()) {
      return -1;
    }
    int threads =
        m.group(1) == null ? 1 : m.group(1).equals("*") ? cores : Integer.parseInt(m.group(1));
    return threads / Math.max(1, taskCpus);
  }

  /** The distinct characters of the text (lines joined by newlines), sorted, as one string. */
  static String vocabulary(JavaRDD<String> lines) {
    List<Integer> cps = lines.flatMap(new CodePoints()).distinct().collect();
    TreeSet<Integer> set = new TreeSet<>(cps);
    set.add((int) '\n');
    StringBuilder sb = new StringBuilder();
    set.forEach(sb::appendCodePoint);
    return sb.toString();
  }

  private static void prepare(Path out, CharLmJob job, String vocabulary, boolean resume)
      throws IOException {
    CharTokenizer tok = CharTokenizer.fit(vocabulary, CharTokenizer.UNKNOWN_ONLY);
    Gpt2Config cfg = CharLm.gptConfig(tok.vocabSize(), job.settings());
    Map<String, Object> config = CharLm.configMap(cfg);
    if (resume) {
      if (!Checkpoint.exists(out.resolve("checkpoint"))) {
        throw new IllegalArgumentException(
            "--resume: "
                + out
                + " holds no checkpoint to continue ("
                + Checkpoint.missing(out.resolve("checkpoint"))
                + ")");
      }
      CharTokenizer saved = CharTokenizer.load(out.resolve("tokenizer.json"));
      if (saved.vocabSize() != tok.vocabSize()) {
        throw new IllegalArgumentException(
            "--resume: "
                + out
                + " was trained on "
                + saved.vocabSize()
                + " distinct characters, --data "
                + job.data()
                + " has "
                + tok.vocabSize()
                + "; resume with the same data");
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
    HfFolder.writeJson(out.resolve("config.json"), config);
    OutputFolder.writeRecipe(out, CharLm.TASK, "tokenizer.json", Map.of());
  }

  static String rootMessage(Throwable e) {
    // Spark wraps the task's exception in text; the innermost message names what went wrong.
    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
    for (String line : msg.split("\n")) {
      int at = line.indexOf("Exception: ");
      if (at >= 0 && !line.contains("Job aborted")) {
        return line.substring(at + "Exception: ".length()).trim();
      }
    }
    return msg.lines().findFirst().orElse(msg);
  }

  /** (line, index) to (shard, (index, line)): contiguous shards of near-equal line counts. */
  static final class ShardOf
      implements org.apache.spark.api.java.function.PairFunction<
              Tuple2<String, Long>, Integer, Tuple2<Long, String>>,
          Serializable {
    private static final long serialVersionUID = 1L;
    private final long total;
    private final int n;

    ShardOf(long total, int n) {
      this.total = total;
      this.n = n;
    }

    @Override
    public Tuple2<Integer, Tuple2<Long, String>> call(Tuple2<String, Long> t) {
      int shard = (int) (t._2() * n / total);
      return new Tuple2<>(shard, new Tuple2<>(t._2(), t._1()));
    }
  }

  /** A report keyed by its rank, for the shuffle after the barrier stage. */
  static final class ByRank
      implements org.apache.spark.api.java.function.PairFunction<
              ReplicaReport, Integer, ReplicaReport>,
          Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Integer, ReplicaReport> call(ReplicaReport r) {
      return new Tuple2<>(r.rank(), r);
    }
  }

  /** The code points of a line. */
  static final class CodePoints
      implements org.apache.spark.api.java.function.FlatMapFunction<String, Integer>,
          Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public java.util.Iterator<Integer> call(String line) {
      return line.codePoints().distinct().boxed().iterator();
    }
  }
}
