package io.github.transformers4j.spark.train;

import io.github.transformers4j.training.BertRecipe;
import io.github.transformers4j.training.Seq2SeqRecipe;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A distributed run of one of the training module's recipes ({@code train mlm}, {@code train
 * seq2seq}, {@code train classify}): what the driver ships to every barrier task. The model and
 * optimizer options are kept as the command line gave them (a serializable map) and turned into
 * the recipe's own settings ({@link BertRecipe.Settings}, {@link Seq2SeqRecipe.Settings}) where
 * needed, with the defaults of {@code t4j train mlm|seq2seq|classify}.
 *
 * <p>What differs from {@code t4j train}: no held-out split (each shard is all training data, as
 * for {@code train clm} on Spark; evaluate the exported model with {@code t4j eval}), a char
 * tokenizer fitted on the whole data (no {@code --tokenizer}, no {@code --from}), checkpoints
 * every {@code --checkpoint-every} steps instead of {@code --eval-every}, and {@code
 * --accumulation}.
 *
 * @param task {@code mlm}, {@code seq2seq} or {@code classify}
 * @param data the data file (any path Spark reads): text lines (mlm), or TSV / JSON Lines pairs
 * @param output the run's folder: a path every executor reads and replica 0 writes
 * @param workers replicas (barrier tasks)
 * @param options the task's options by name ({@code --width} ...), validated
 * @param backend the compute backend on the executors ({@code cpu})
 * @param threads compute threads per replica
 * @param timeoutSeconds how long a replica waits for a peer before failing the stage
 * @param attempts job submissions in all when Spark gives up on the stage
 * @param failRank the replica that throws at step {@code failStep} once (a test of the retry), or
 *     -1
 * @param failStep the step at which {@code failRank} throws
 */
public record RecipeJob(
    String task,
    String data,
    String output,
    int workers,
    Map<String, String> options,
    String backend,
    int threads,
    int timeoutSeconds,
    int attempts,
    int failRank,
    long failStep)
    implements Serializable {

  /** The recipes this job runs. */
  public static final List<String> TASKS = List.of("mlm", "seq2seq", "classify");

  /** Options of {@code t4j train} that a Spark run does not take, and why. */
  static final Map<String, String> REFUSED = new LinkedHashMap<>();

  static {
    String noVal =
        "each replica's shard is all training data (no held-out split; evaluate the exported"
            + " model with t4j eval)";
    REFUSED.put("--val-fraction", noVal);
    REFUSED.put("--eval-batches", noVal);
    REFUSED.put("--exact-match-limit", noVal);
    REFUSED.put("--eval-every", "checkpoints come every --checkpoint-every steps");
    REFUSED.put("--tokenizer", "the replicas use a char tokenizer fitted on the whole --data");
    REFUSED.put("--from", "fine-tuning a pretrained folder is not distributed yet");
    REFUSED.put("--arch", "only the transformer trains on Spark");
    REFUSED.put("--hidden", "only the transformer trains on Spark");
  }

  /** Boolean options (present: "true"). */
  static final List<String> FLAGS = List.of("--post-ln");

  /** The options of {@code task} with the defaults of {@code t4j train <task>}. */
  static Map<String, String> defaults(String task) {
    Map<String, String> d = new LinkedHashMap<>();
    switch (task) {
      case "mlm", "classify" -> {
        d.put("--width", "128");
        d.put("--layers", "4");
        d.put("--heads", "4");
        d.put("--ffn", "512");
        d.put("--dropout", "0.1");
        d.put("--max-length", "64");
        d.put("--batch", "16");
        d.put("--steps", "1000");
        d.put("--lr", "1e-3");
        d.put("--warmup", "100");
        d.put("--weight-decay", "0.01");
        d.put("--clip", "1.0");
        d.put("--seed", "1337");
        if (task.equals("classify")) {
          d.put("--text-field", "text");
          d.put("--label-field", "label");
        }
      }
      case "seq2seq" -> {
        d.put("--width", "64");
        d.put("--heads", "4");
        d.put("--ffn", "128");
        d.put("--layers", "2");
        d.put("--positions", "sinusoidal");
        d.put("--post-ln", "false");
        d.put("--dropout", "0");
        d.put("--batch", "64");
        d.put("--steps", "1500");
        d.put("--lr", "2e-3");
        d.put("--warmup", "100");
        d.put("--label-smoothing", "0.1");
        d.put("--weight-decay", "0.01");
        d.put("--clip", "1.0");
        d.put("--seed", "3");
        d.put("--source-field", "source");
        d.put("--target-field", "target");
      }
      default ->
          throw new IllegalArgumentException(
              "train: unknown task '" + task + "'; on Spark: clm, " + String.join(", ", TASKS));
    }
    d.put("--accumulation", "1");
    d.put("--checkpoint-every", "250");
    return d;
  }

  /**
   * Validates the task, the options (unknown names, numbers, ranges) and the rest, naming the
   * option; fills in the defaults.
   */
  public RecipeJob {
    require(task != null, "train: a task is required");
    require(data != null && !data.isBlank(), "--data: a file is required");
    require(output != null && !output.isBlank(), "--output: a folder is required");
    require(workers >= 1, "--workers must be >= 1, got " + workers);
    require(threads >= 1, "--threads must be >= 1, got " + threads);
    require(timeoutSeconds >= 1, "--timeout must be >= 1 second, got " + timeoutSeconds);
    require(attempts >= 1, "--attempts must be >= 1, got " + attempts);
    Map<String, String> all = defaults(task);
    for (Map.Entry<String, String> e : options.entrySet()) {
      String why = REFUSED.get(e.getKey());
      if (why != null) {
        throw new IllegalArgumentException(
            "train " + task + " on Spark does not take " + e.getKey() + ": " + why);
      }
      if (!all.containsKey(e.getKey())) {
        throw new IllegalArgumentException(
            "train "
                + task
                + ": unknown option '"
                + e.getKey()
                + "'; its options: "
                + String.join(", ", all.keySet()));
      }
      all.put(e.getKey(), e.getValue());
    }
    options = new TreeMap<>(all);
    // Parse every number now, so that a bad value fails on the driver naming its option.
    long steps = number(options, "--steps");
    require(steps >= 1, "--steps must be >= 1, got " + steps);
    require(number(options, "--batch") >= 1, "--batch must be >= 1");
    require(number(options, "--accumulation") >= 1, "--accumulation must be >= 1");
    require(number(options, "--checkpoint-every") >= 1, "--checkpoint-every must be >= 1");
    require(number(options, "--layers") >= 1, "--layers must be >= 1");
    require(number(options, "--ffn") >= 1, "--ffn must be >= 1");
    long width = number(options, "--width");
    long heads = number(options, "--heads");
    require(
        heads >= 1 && width >= 1 && width % heads == 0,
        "--width " + width + " must be divisible by --heads " + heads);
    require(real(options, "--lr") > 0, "--lr must be > 0");
    require(number(options, "--warmup") >= 0, "--warmup must be >= 0");
    require(real(options, "--clip") >= 0, "--clip must be >= 0");
    require(real(options, "--weight-decay") >= 0, "--weight-decay must be >= 0");
    double dropout = real(options, "--dropout");
    require(dropout >= 0 && dropout < 1, "--dropout must be in [0, 1), got " + dropout);
    number(options, "--seed");
    if (task.equals("seq2seq")) {
      double ls = real(options, "--label-smoothing");
      require(ls >= 0 && ls < 1, "--label-smoothing must be in [0, 1), got " + ls);
      String p = options.get("--positions");
      require(
          List.of("sinusoidal", "learned", "rotary").contains(p),
          "--positions must be sinusoidal, learned or rotary, got '" + p + "'");
    } else {
      require(number(options, "--max-length") >= 2, "--max-length must be >= 2");
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static long number(Map<String, String> o, String name) {
    String s = o.get(name);
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " expects a whole number, got '" + s + "'");
    }
  }

  private static double real(Map<String, String> o, String name) {
    String s = o.get(name);
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " expects a number, got '" + s + "'");
    }
  }

  /** {@code task} on {@code data} into {@code output} with these options and the defaults. */
  public static RecipeJob of(
      String task, String data, String output, int workers, Map<String, String> options) {
    return new RecipeJob(task, data, output, workers, options, "cpu", 1, 300, 3, -1, 0);
  }

  /** A whole-number option. */
  int integer(String name) {
    long v = number(options, name);
    require(v == (int) v, name + " is too large: " + v);
    return (int) v;
  }

  /** Steps of the run. */
  public long steps() {
    return number(options, "--steps");
  }

  /** Micro-batches per step on each replica. */
  public int accumulation() {
    return integer("--accumulation");
  }

  /** Steps between checkpoints. */
  public long checkpointEvery() {
    return number(options, "--checkpoint-every");
  }

  /** Whether the data are pairs (TSV or JSON Lines) rather than text. */
  boolean pairs() {
    return !task.equals("mlm");
  }

  /** Whether {@code --data} is read as JSON Lines (by its extension) rather than TSV. */
  boolean jsonl() {
    String name = data.toLowerCase(Locale.ROOT);
    return name.endsWith(".jsonl") || name.endsWith(".json");
  }

  /** The two JSON Lines fields of a pair, and their names in TSV messages. */
  String[] fields() {
    return task.equals("classify")
        ? new String[] {options.get("--text-field"), options.get("--label-field"), "text", "label"}
        : new String[] {
          options.get("--source-field"), options.get("--target-field"), "source", "target"
        };
  }

  /** The BERT recipe's settings of {@code train mlm|classify} (no validation split). */
  public BertRecipe.Settings bert() {
    return new BertRecipe.Settings(
        integer("--width"),
        integer("--layers"),
        integer("--heads"),
        integer("--ffn"),
        (float) real(options, "--dropout"),
        integer("--max-length"),
        integer("--batch"),
        steps(),
        real(options, "--lr"),
        number(options, "--warmup"),
        real(options, "--weight-decay"),
        real(options, "--clip"),
        checkpointEvery(),
        0,
        0.0,
        number(options, "--seed"));
  }

  /** The seq2seq recipe's settings of {@code train seq2seq} (no validation split). */
  public Seq2SeqRecipe.Settings seq2seq() {
    return new Seq2SeqRecipe.Settings(
        integer("--width"),
        integer("--heads"),
        integer("--ffn"),
        integer("--layers"),
        (float) real(options, "--dropout"),
        options.get("--positions"),
        !Boolean.parseBoolean(options.get("--post-ln")),
        integer("--batch"),
        steps(),
        real(options, "--lr"),
        number(options, "--warmup"),
        (float) real(options, "--label-smoothing"),
        real(options, "--weight-decay"),
        real(options, "--clip"),
        checkpointEvery(),
        0.0,
        number(options, "--seed"));
  }

  /** The run seed. */
  public long seed() {
    return number(options, "--seed");
  }

  /** This job writing into {@code dir}. */
  public RecipeJob withOutput(String dir) {
    return new RecipeJob(task, data, dir, workers, options, backend, threads, timeoutSeconds,
        attempts, failRank, failStep);
  }

  /** This job with {@code n} workers. */
  public RecipeJob withWorkers(int n) {
    return new RecipeJob(task, data, output, n, options, backend, threads, timeoutSeconds,
        attempts, failRank, failStep);
  }

  /** This job with {@code threads}, {@code timeout} and {@code attempts}. */
  public RecipeJob withRuntime(int threads, int timeout, int attempts) {
    return new RecipeJob(task, data, output, workers, options, backend, threads, timeout,
        attempts, failRank, failStep);
  }

  /** This job in which replica {@code rank} throws once at step {@code step}. */
  public RecipeJob withFailure(int rank, long step) {
    return new RecipeJob(task, data, output, workers, options, backend, threads, timeoutSeconds,
        attempts, rank, step);
  }
}
