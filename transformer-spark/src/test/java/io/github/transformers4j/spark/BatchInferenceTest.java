package io.github.transformers4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.spark.ml.TextEmbeddingTransformer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit entry point on the shared local session: tables in and out, usage errors. */
class BatchInferenceTest {
  private static final List<String> TEXTS =
      List.of("Resumption of the session", "I declare resumed the session.", "Thank you.");

  /** The tiny CLIP folder: its tokenizer and text tower make a text-embedding model too. */
  private static final Path CLIP = SharedData.require("models/hf-tiny/clip");

  private static String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        BatchInference.run(
            BatchInference.parse(args),
            LocalSpark.session(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Dataset<Row> table() {
    SparkSession spark = LocalSpark.session();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < TEXTS.size(); i++) {
      rows.add(RowFactory.create(i, TEXTS.get(i)));
    }
    return spark.createDataFrame(
        rows, new StructType().add("id", DataTypes.IntegerType).add("line", DataTypes.StringType));
  }

  @Test
  void embedsAParquetTableAsTheTransformerDoes(@TempDir Path tmp) {
    String in = tmp.resolve("in.parquet").toString();
    String out = tmp.resolve("out.parquet").toString();
    table().write().parquet(in);
    String said =
        run("embed", "--model", CLIP.toString(), "--input", in, "--output", out, "--text-col",
            "line", "--batch-size", "2", "--partitions", "2");
    assertTrue(said.startsWith("t4j-spark: embed wrote 3 rows to " + out + " (parquet) in "), said);
    List<Row> got = LocalSpark.session().read().parquet(out).orderBy("id").collectAsList();
    List<Row> want =
        new TextEmbeddingTransformer().setModelPath(CLIP.toString()).setInputCol("line")
            .transform(table()).orderBy("id").collectAsList();
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) {
      assertEquals(want.get(i).getInt(0), got.get(i).getInt(0));
      assertEquals(want.get(i).getString(1), got.get(i).getString(1));
      List<Float> w = want.get(i).getList(2);
      List<Float> g = got.get(i).getList(2);
      assertEquals(w.size(), g.size());
      for (int k = 0; k < w.size(); k++) {
        // Other batches (2 rows, 2 partitions) than the transformer's default: rounding differs.
        assertEquals(w.get(k), g.get(k), 1e-6, "row " + i + " element " + k);
      }
    }
  }

  @Test
  void writesCsvWithVectorsAsJsonTextAndRefusesAnExistingOutput(@TempDir Path tmp) throws Exception {
    String in = tmp.resolve("in.json").toString();
    String out = tmp.resolve("out.csv").toString();
    table().write().json(in);
    run("tokenize", "--model", CLIP.toString(), "--input", in, "--output", out, "--text-col", "line");
    String csv;
    try (var files = Files.list(Path.of(out))) {
      csv = files.filter(f -> f.getFileName().toString().endsWith(".csv"))
          .map(f -> { try { return Files.readString(f); } catch (Exception e) { throw new RuntimeException(e); } })
          .reduce("", String::concat);
    }
    assertTrue(csv.contains("[49406,"), "ids as JSON arrays, starting with CLIP's start id: " + csv);

    Exception exists =
        assertThrows(
            Exception.class,
            () -> run("tokenize", "--model", CLIP.toString(), "--input", in, "--output", out,
                "--text-col", "line"));
    assertTrue(BatchInference.rootMessage(exists).contains("already exists"),
        BatchInference.rootMessage(exists));
    run("tokenize", "--model", CLIP.toString(), "--input", in, "--output", out, "--text-col",
        "line", "--overwrite");
  }

  @Test
  void usageErrorsNameTheOption() {
    assertUsage("no task given", new String[0]);
    assertUsage("unknown task 'embedd'", "embedd");
    assertUsage("unknown option '--modle'", "embed", "--modle", "x");
    assertUsage("--batch-size must be at least 1, got 0", "embed", "--model", "m", "--input", "i",
        "--output", "o", "--batch-size", "0");
    assertUsage("--format must be parquet, json or csv, got 'xml'", "embed", "--model", "m",
        "--input", "i", "--output", "o", "--format", "xml");
    assertUsage("embed needs --model", "embed", "--input", "i", "--output", "o");
    assertUsage("--model needs a value", "embed", "--model");
  }

  @Test
  void aMissingColumnIsAUsageErrorWithoutClassNames(@TempDir Path tmp) {
    String in = tmp.resolve("in.parquet").toString();
    table().write().parquet(in);
    BatchInference.UsageException e =
        assertThrows(
            BatchInference.UsageException.class,
            () -> run("embed", "--model", CLIP.toString(), "--input", in, "--output",
                tmp.resolve("o").toString()));
    assertEquals("inputCol 'text' is not a column of the input; it has id, line", e.getMessage());
  }

  @Test
  void rootMessageDropsTheClassNamesSparkQuotes() {
    RuntimeException spark =
        new RuntimeException(
            "Job aborted due to stage failure: Task 1 in stage 3.0 failed 4 times, most recent"
                + " failure: Lost task 1.3 (TID 9) (10.0.0.7 executor 2):"
                + " java.lang.IllegalArgumentException: modelPath minilm is not a folder on w2\n"
                + "\tat io.github...");
    assertEquals("modelPath minilm is not a folder on w2", BatchInference.rootMessage(spark));
    assertFalse(BatchInference.rootMessage(new RuntimeException()).contains("Exception"));
  }

  private static void assertUsage(String message, String... args) {
    BatchInference.UsageException e =
        assertThrows(
            BatchInference.UsageException.class,
            () -> BatchInference.run(BatchInference.parse(args), LocalSpark.session(),
                System.out, System.err));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }
}
