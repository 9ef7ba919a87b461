package io.github.transformers4j.spark;

import io.github.transformers4j.spark.ml.ClipImageEmbeddingTransformer;
import io.github.transformers4j.spark.ml.SequenceClassificationTransformer;
import io.github.transformers4j.spark.ml.T4jTransformer;
import io.github.transformers4j.spark.ml.TextEmbeddingTransformer;
import io.github.transformers4j.spark.ml.TextGenerationTransformer;
import io.github.transformers4j.spark.ml.TokenizationTransformer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code spark-submit} entry point for batch inference over a table: read it (Parquet, JSON or
 * CSV), add one column computed by a model folder, write it back. One task per run:
 *
 * <pre>
 * embed     --model DIR --input in.parquet --output out.parquet [--text-col text]
 * generate  --model DIR --input prompts.json --output out.parquet [--max-new-tokens 32]
 * classify  --model DIR --input in.csv --output out.json
 * tokenize  --model DIR --input in.parquet --output out.parquet
 * clip-images --model DIR --input images/ --output out.parquet   (a folder of image files)
 * train clm|mlm|seq2seq|classify --data FILE --output DIR --workers N ...   (SparkTrainMain)
 * </pre>
 *
 * <p>The Spark master and resources come from {@code spark-submit} (or {@code -Dspark.master=...}
 * when run with plain {@code java}). Errors are one line on standard error, naming the option or
 * file, without a stack trace unless {@code --verbose}; exit status 2 for a usage error, 1 for a
 * failed job.
 */
public final class BatchInference {
  private BatchInference() {}

  private static final Set<String> TASKS =
      Set.of("embed", "generate", "classify", "tokenize", "clip-images");

  private static final Set<String> FLAGS = Set.of("--overwrite", "--no-normalize", "--verbose");

  private static final Set<String> OPTIONS =
      Set.of(
          "--model", "--input", "--output", "--text-col", "--input-col", "--output-col",
          "--format", "--output-format", "--batch-size", "--backend", "--threads",
          "--partitions", "--max-new-tokens", "--temperature", "--top-k", "--top-p", "--seed",
          "--pooling");

  static final String USAGE =
      "usage: BatchInference embed|generate|classify|tokenize|clip-images --model DIR"
          + " --input PATH --output PATH [--text-col text] [--input-col C] [--output-col C]"
          + " [--format parquet|json|csv] [--output-format parquet|json|csv] [--batch-size 16]"
          + " [--backend cpu] [--threads 0] [--partitions N] [--overwrite] [--verbose]"
          + " (embed: [--pooling mean|cls] [--no-normalize]; generate: [--max-new-tokens 32]"
          + " [--temperature 0] [--top-k 40] [--top-p 1] [--seed 0]);"
          + " or: BatchInference train clm|mlm|seq2seq|classify --data FILE --output DIR"
          + " --workers N ... (train alone prints its options)";

  /** A usage error: a bad or missing option. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("train")) {
      // The shaded jar's one Main-Class: `spark-submit <jar> train clm ...` trains.
      io.github.transformers4j.spark.train.SparkTrainMain.main(args);
      return;
    }
    SparkSession spark = null;
    boolean verbose = List.of(args).contains("--verbose");
    int code;
    try {
      Parsed p = parse(args);
      spark = SparkSession.builder().appName("t4j " + p.task()).getOrCreate();
      code = run(p, spark, System.out, System.err);
    } catch (UsageException e) {
      System.err.println("t4j-spark: " + e.getMessage());
      System.err.println(USAGE);
      code = 2;
    } catch (Exception e) {
      // Spark's AnalysisException (a missing path, an existing output) is a checked exception
      // thrown without a throws clause, so this catches Exception.
      if (verbose) {
        e.printStackTrace();
      }
      System.err.println("t4j-spark: " + rootMessage(e));
      code = 1;
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
    System.exit(code);
  }

  /** The parsed command line. */
  record Parsed(String task, Map<String, String> options, Set<String> flags) {
    String get(String name, String fallback) {
      return options.getOrDefault(name, fallback);
    }

    String require(String name) {
      String v = options.get(name);
      if (v == null) {
        throw new UsageException(task + " needs " + name);
      }
      return v;
    }

    int integer(String name, int fallback, int min) {
      String v = options.get(name);
      if (v == null) {
        return fallback;
      }
      try {
        int n = Integer.parseInt(v);
        if (n < min) {
          throw new UsageException(name + " must be at least " + min + ", got " + v);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new UsageException(name + " must be a whole number, got '" + v + "'");
      }
    }

    double number(String name, double fallback) {
      String v = options.get(name);
      if (v == null) {
        return fallback;
      }
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new UsageException(name + " must be a number, got '" + v + "'");
      }
    }
  }

  static Parsed parse(String[] args) {
    if (args.length == 0 || !TASKS.contains(args[0])) {
      throw new UsageException(
          args.length == 0
              ? "no task given; one of " + new java.util.TreeSet<>(TASKS)
              : "unknown task '" + args[0] + "'; one of " + new java.util.TreeSet<>(TASKS));
    }
    Map<String, String> options = new LinkedHashMap<>();
    Set<String> flags = new java.util.TreeSet<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      if (FLAGS.contains(a)) {
        if (value != null) {
          throw new UsageException(a + " takes no value");
        }
        flags.add(a);
      } else if (OPTIONS.contains(a)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new UsageException(a + " needs a value");
          }
          value = args[++i];
        }
        if (options.put(a, value) != null) {
          throw new UsageException(a + " is given twice");
        }
      } else {
        throw new UsageException("unknown option '" + args[i] + "'");
      }
    }
    return new Parsed(args[0], options, flags);
  }

  /** Runs a parsed command on {@code spark}; returns the exit status. */
  static int run(Parsed p, SparkSession spark, PrintStream out, PrintStream err) {
    String input = p.require("--input");
    String output = p.require("--output");
    String model = p.require("--model");
    String inFormat = format(p.get("--format", null), input, "--format");
    String outFormat = format(p.get("--output-format", null), output, "--output-format");
    boolean images = p.task().equals("clip-images");
    // Every option is checked before Spark reads anything.
    T4jTransformer<?> t = transformer(p);
    t.setModelPath(model).setBatchSize(p.integer("--batch-size", 16, 1))
        .setThreads(p.integer("--threads", 0, 0)).setBackend(p.get("--backend", "cpu"));
    t.setInputCol(p.get("--input-col", p.get("--text-col", images ? "content" : "text")));
    if (p.options().containsKey("--output-col")) {
      t.setOutputCol(p.get("--output-col", null));
    }
    int partitions = p.integer("--partitions", 0, 0);
    Dataset<Row> table;
    try {
      table =
          images
              ? spark.read().format("binaryFile").load(input).drop("modificationTime", "length")
              : spark.read().format(inFormat).option("header", "true").load(input);
    } catch (Exception e) {
      // AnalysisException (no such path) is checked, and thrown without a throws clause.
      throw new IllegalArgumentException("--input " + input + ": " + rootMessage(e), e);
    }
    if (partitions > 0) {
      table = table.repartition(partitions);
    }

    Dataset<Row> result;
    try {
      result = t.transform(table);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage().replaceFirst("^\\S+ \\S+: ", ""));
    }
    if (images) {
      result = result.drop("content");
    }
    if (outFormat.equals("csv")) {
      result = result.select(csvColumns(result.schema()));
    }
    long t0 = System.nanoTime();
    result
        .write()
        .mode(p.flags().contains("--overwrite") ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
        .format(outFormat)
        .option("header", "true")
        .save(output);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long rows = spark.read().format(outFormat).option("header", "true").load(output).count();
    out.printf(
        Locale.ROOT,
        "t4j-spark: %s wrote %d rows to %s (%s) in %.1f s, %.1f rows/s%n",
        p.task(), rows, output, outFormat, seconds, rows / seconds);
    return 0;
  }

  private static T4jTransformer<?> transformer(Parsed p) {
    return switch (p.task()) {
      case "embed" -> {
        TextEmbeddingTransformer e = new TextEmbeddingTransformer();
        String pooling = p.get("--pooling", "mean");
        if (!Set.of("mean", "cls").contains(pooling)) {
          throw new UsageException("--pooling must be mean or cls, got '" + pooling + "'");
        }
        e.setPooling(pooling);
        e.setNormalize(!p.flags().contains("--no-normalize"));
        yield e;
      }
      case "generate" -> {
        double temperature = p.number("--temperature", 0);
        double topP = p.number("--top-p", 1);
        if (!(temperature >= 0)) {
          throw new UsageException("--temperature must be 0 (greedy) or more, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
          throw new UsageException("--top-p must be in (0, 1], got " + topP);
        }
        yield new TextGenerationTransformer()
            .setMaxNewTokens(p.integer("--max-new-tokens", 32, 1))
            .setTemperature((float) temperature)
            .setTopK(p.integer("--top-k", 40, 0))
            .setTopP((float) topP)
            .setSeed(p.integer("--seed", 0, Integer.MIN_VALUE));
      }
      case "classify" -> new SequenceClassificationTransformer();
      case "tokenize" -> new TokenizationTransformer();
      case "clip-images" -> {
        ClipImageEmbeddingTransformer c = new ClipImageEmbeddingTransformer();
        c.setNormalize(!p.flags().contains("--no-normalize"));
        yield c;
      }
      default -> throw new UsageException("unknown task '" + p.task() + "'");
    };
  }

  // The given format, else the path's extension, else Parquet.
  private static String format(String given, String path, String option) {
    String f = given;
    if (f == null) {
      String name = path.replaceAll("/+$", "");
      int dot = name.lastIndexOf('.');
      String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
      f = Set.of("parquet", "json", "csv").contains(ext) ? ext : "parquet";
    }
    if (!Set.of("parquet", "json", "csv").contains(f)) {
      throw new UsageException(option + " must be parquet, json or csv, got '" + f + "'");
    }
    return f;
  }

  // CSV holds no arrays or structs: those columns are written as JSON text.
  private static Column[] csvColumns(StructType schema) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : schema.fields()) {
      boolean nested = f.dataType() instanceof ArrayType || f.dataType() instanceof StructType;
      cols.add(nested ? functions.to_json(functions.col(f.name())).as(f.name()) : functions.col(f.name()));
    }
    return cols.toArray(Column[]::new);
  }

  /**
   * The innermost message, without Java class names: Spark wraps a task's exception in its own,
   * whose message quotes the task's as {@code java.lang.IllegalArgumentException: ...}.
   */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      return "the job failed without a message; rerun with --verbose for the stack trace";
    }
    java.util.regex.Matcher quoted = QUOTED_EXCEPTION.matcher(m);
    if (quoted.find()) {
      m = quoted.group(1);
    }
    return m.lines().findFirst().orElse(m).strip();
  }

  private static final java.util.regex.Pattern QUOTED_EXCEPTION =
      java.util.regex.Pattern.compile("(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): (.*)");
}
