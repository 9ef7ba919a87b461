package io.github.transformers4j.spark.train;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code spark-submit} entry point of distributed training: {@code train clm --data FILE --output
 * DIR --workers N [options]} trains a char-level GPT with N barrier tasks ({@link
 * BarrierTraining}); {@code train mlm|seq2seq|classify ...} trains the training module's recipes
 * the same way ({@link RecipeTraining}), with the model options of {@code t4j train}. The master,
 * executors and their JVM flags come from {@code spark-submit}.
 *
 * <p>Errors are printed as one line without a stack trace ({@code --verbose} adds it), with exit
 * status 2 for a bad command line and 1 for a failed run.
 */
public final class SparkTrainMain {
  private SparkTrainMain() {}

  static final String USAGE =
      String.join(
          "\n",
          "usage: train clm --data FILE --output DIR --workers N [options]",
          "       train mlm|seq2seq|classify --data FILE --output DIR --workers N [options]",
          "  --data FILE            text file, one or more lines (any path Spark reads)",
          "  --output DIR           run folder: every executor must read it, replica 0 writes it",
          "  --workers N            replicas, one barrier task each (needs N free task slots)",
          "  --resume               continue the run in --output from its checkpoint",
          "  --steps N              optimizer steps (2000)",
          "  --batch B              rows per micro-batch per replica (12); global batch is",
          "                         workers x batch x accumulation",
          "  --accumulation A       micro-batches per step per replica (1)",
          "  --block T              context length (64)",
          "  --layers L, --heads H, --width C   the GPT (4, 4, 128)",
          "  --lr, --min-lr, --warmup           cosine schedule (1e-3, 1e-4, 100)",
          "  --clip NORM            gradient-norm clip, 0 for none (1.0)",
          "  --checkpoint-every N   steps between checkpoints (250)",
          "  --seed S               run seed (1337)",
          "  --threads N            compute threads per replica (1)",
          "  --timeout SECONDS      how long a replica waits for a peer (300)",
          "  --attempts N           job submissions in all when Spark gives up on the stage (3)",
          "  --verbose              stack traces with errors",
          "mlm, seq2seq, classify: the options of t4j train mlm|seq2seq|classify (--width,",
          "  --layers, --heads, --ffn, --dropout, --batch, --steps, --lr, --warmup,",
          "  --weight-decay, --clip, --seed; mlm/classify --max-length; classify --text-field,",
          "  --label-field; seq2seq --positions, --post-ln, --label-smoothing, --source-field,",
          "  --target-field) with their defaults, plus --accumulation, --checkpoint-every, and",
          "  --resume, --threads, --timeout, --attempts, --verbose as above. --data: text lines",
          "  (mlm), TSV or .jsonl pairs (seq2seq, classify). No held-out split, no --tokenizer:",
          "  each shard is all training data, the char tokenizer is fitted on the whole file");

  private static final List<String> VALUED =
      List.of(
          "--data", "--output", "--workers", "--steps", "--batch", "--accumulation", "--block",
          "--layers", "--heads", "--width", "--lr", "--min-lr", "--warmup", "--clip",
          "--checkpoint-every", "--seed", "--threads", "--timeout", "--attempts");

  /** Options of every task that are not the recipe's. */
  private static final List<String> RUNTIME =
      List.of("--data", "--output", "--workers", "--threads", "--timeout", "--attempts");

  /**
   * A parsed command line: a char GPT ({@code job}) or a recipe ({@code recipe}), the other null.
   */
  record Command(CharLmJob job, RecipeJob recipe, boolean resume, boolean verbose) {
    Command(CharLmJob job, boolean resume, boolean verbose) {
      this(job, null, resume, verbose);
    }

    String task() {
      return job != null ? "clm" : recipe.task();
    }

    String output() {
      return job != null ? job.output() : recipe.output();
    }
  }

  /**
   * Parses {@code args}.
   *
   * @throws IllegalArgumentException naming the option that is unknown, missing or malformed
   */
  static Command parse(String[] args) {
    if (args.length < 2 || !args[0].equals("train")) {
      throw new IllegalArgumentException(
          "expected 'train clm|" + String.join("|", RecipeJob.TASKS) + " ...'");
    }
    if (RecipeJob.TASKS.contains(args[1])) {
      return parseRecipe(args);
    }
    if (!args[1].equals("clm")) {
      throw new IllegalArgumentException(
          "train: unknown task '"
              + args[1]
              + "'; distributed training on Spark supports: clm, "
              + String.join(", ", RecipeJob.TASKS));
    }
    Map<String, String> opts = new LinkedHashMap<>();
    boolean resume = false;
    boolean verbose = false;
    for (int i = 2; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      if (a.equals("--resume")) {
        resume = true;
      } else if (a.equals("--verbose")) {
        verbose = true;
      } else if (VALUED.contains(a)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          value = args[++i];
        }
        opts.put(a, value);
      } else {
        throw new IllegalArgumentException(
            "unknown option '" + a + "'; options: " + String.join(", ", VALUED)
                + ", --resume, --verbose");
      }
    }
    for (String req : List.of("--data", "--output", "--workers")) {
      if (!opts.containsKey(req)) {
        throw new IllegalArgumentException("train clm: " + req + " is required");
      }
    }
    CharLmJob d = CharLmJob.defaults(opts.get("--data"), opts.get("--output"), 1);
    CharLmJob job =
        new CharLmJob(
            opts.get("--data"),
            opts.get("--output"),
            integer(opts, "--workers", 1),
            integer(opts, "--batch", d.batch()),
            integer(opts, "--block", d.block()),
            integer(opts, "--layers", d.layers()),
            integer(opts, "--heads", d.heads()),
            integer(opts, "--width", d.width()),
            number(opts, "--steps", d.steps()),
            real(opts, "--lr", d.lr()),
            real(opts, "--min-lr", d.minLr()),
            number(opts, "--warmup", Math.min(d.warmup(), number(opts, "--steps", d.steps()))),
            real(opts, "--clip", d.clip()),
            integer(opts, "--accumulation", d.accumulation()),
            number(opts, "--checkpoint-every", d.checkpointEvery()),
            number(opts, "--seed", d.seed()),
            d.backend(),
            integer(opts, "--threads", d.threads()),
            integer(opts, "--timeout", d.timeoutSeconds()),
            integer(opts, "--attempts", d.attempts()),
            -1,
            0);
    return new Command(job, resume, verbose);
  }

  /** {@code train mlm|seq2seq|classify ...}: the recipe's options go to {@link RecipeJob}. */
  private static Command parseRecipe(String[] args) {
    String task = args[1];
    Map<String, String> runtime = new LinkedHashMap<>();
    Map<String, String> recipe = new LinkedHashMap<>();
    boolean resume = false;
    boolean verbose = false;
    for (int i = 2; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException(
            "train " + task + ": unexpected argument '" + a + "'; options start with --");
      }
      if (a.equals("--resume")) {
        resume = true;
      } else if (a.equals("--verbose")) {
        verbose = true;
      } else if (RecipeJob.FLAGS.contains(a)) {
        recipe.put(a, value == null ? "true" : value);
      } else {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          value = args[++i];
        }
        (RUNTIME.contains(a) ? runtime : recipe).put(a, value);
      }
    }
    for (String req : List.of("--data", "--output", "--workers")) {
      if (!runtime.containsKey(req)) {
        throw new IllegalArgumentException("train " + task + ": " + req + " is required");
      }
    }
    RecipeJob job =
        RecipeJob.of(
                task,
                runtime.get("--data"),
                runtime.get("--output"),
                integer(runtime, "--workers", 1),
                recipe)
            .withRuntime(
                integer(runtime, "--threads", 1),
                integer(runtime, "--timeout", 300),
                integer(runtime, "--attempts", 3));
    return new Command(null, job, resume, verbose);
  }

  private static int integer(Map<String, String> o, String name, int dflt) {
    long v = number(o, name, dflt);
    if (v != (int) v) {
      throw new IllegalArgumentException(name + " is too large: " + v);
    }
    return (int) v;
  }

  private static long number(Map<String, String> o, String name, long dflt) {
    String s = o.get(name);
    if (s == null) {
      return dflt;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " expects a whole number, got '" + s + "'");
    }
  }

  private static double real(Map<String, String> o, String name, double dflt) {
    String s = o.get(name);
    if (s == null) {
      return dflt;
    }
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " expects a number, got '" + s + "'");
    }
  }

  /**
   * Runs the command on {@code spark}; returns the exit status (0 done, 1 failed, 2 bad command
   * line). Does not stop the session.
   */
  static int run(String[] args, SparkSession spark, PrintStream out, PrintStream err) {
    Command c;
    try {
      c = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try {
      BarrierTraining.Outcome o =
          c.job() != null
              ? BarrierTraining.run(spark, c.job(), c.resume(), err)
              : RecipeTraining.run(spark, c.recipe(), c.resume(), err);
      ReplicaReport r0 = o.reports().get(0);
      double exchange = 0;
      double seconds = 0;
      for (ReplicaReport r : o.reports()) {
        exchange = Math.max(exchange, r.exchangeSeconds());
        seconds = Math.max(seconds, r.seconds());
      }
      out.printf(
          Locale.ROOT,
          "train %s: trained steps %d..%d on %d replicas in %.1f s (%.0f%% exchanging gradients);"
              + " last loss %.4f; model and checkpoint in %s%n",
          c.task(),
          r0.startStep(),
          r0.endStep(),
          o.reports().size(),
          seconds,
          seconds > 0 ? 100 * exchange / seconds : 0,
          r0.losses().length > 0 ? r0.losses()[r0.losses().length - 1] : Double.NaN,
          c.output());
      return 0;
    } catch (RuntimeException | java.io.IOException e) {
      err.println(
          "error: "
              + (e.getMessage() == null
                  ? "the run failed without a message (--verbose shows where)"
                  : e.getMessage()));
      if (c.verbose()) {
        e.printStackTrace(err);
      }
      return 1;
    }
  }

  /** The {@code spark-submit} main. */
  public static void main(String[] args) {
    try {
      parse(args); // a bad command line fails before Spark starts
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    }
    SparkSession spark = SparkSession.builder().appName("t4j train").getOrCreate();
    int status;
    try {
      status = run(args, spark, System.out, System.err);
    } finally {
      spark.stop();
    }
    System.exit(status);
  }
}
