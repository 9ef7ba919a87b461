package io.github.transformers4j.spark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.spark.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transformers as pipeline stages (saved, loaded, run again with the same results) and over
 * DataFrames read from and written to Parquet, JSON and CSV; the errors a user meets.
 */
class PipelineAndFilesTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.session();
  }

  private static Pipeline pipeline() {
    String roberta = Folders.roberta().toString();
    return new Pipeline()
        .setStages(
            new PipelineStage[] {
              new TokenizationTransformer().setModelPath(roberta).setBatchSize(4),
              new TextEmbeddingTransformer()
                  .setModelPath(roberta)
                  .setPooling("cls")
                  .setNormalize(false)
                  .setBatchSize(5)
                  .setOutputCol("vector"),
              new SequenceClassificationTransformer()
                  .setModelPath(Folders.robertaSeqCls().toString()),
              new TextGenerationTransformer()
                  .setModelPath(Folders.opt().toString())
                  .setMaxNewTokens(4)
                  .setTemperature(0.9f)
                  .setTopK(5)
                  .setSeed(11),
              new ClipImageEmbeddingTransformer()
                  .setModelPath(Folders.clip().toString())
                  .setInputCol("image")
                  .setOutputCol("image_embedding")
                  .setNormalize(false)
            });
  }

  private static Dataset<Row> rows() {
    String image = Folders.clip().resolve("tall.png").toString();
    return TransformersTest.texts()
        .where("text is not null")
        .withColumn("image", functions.lit(image));
  }

  @Test
  void aPipelineOfEveryTransformerSavesLoadsAndGivesTheSameRows(@TempDir Path tmp) throws Exception {
    PipelineModel model = pipeline().fit(rows());
    String path = tmp.resolve("pipeline").toString();
    model.write().overwrite().save(path);
    PipelineModel loaded = PipelineModel.load(path);

    assertEquals(model.stages().length, loaded.stages().length);
    for (int i = 0; i < model.stages().length; i++) {
      var saved = model.stages()[i];
      var back = loaded.stages()[i];
      assertNotSame(saved, back);
      assertEquals(saved.getClass(), back.getClass());
      assertEquals(saved.uid(), back.uid());
      // Every param, set or default, comes back with its value.
      assertEquals(saved.extractParamMap().toString(), back.extractParamMap().toString(),
          "params of stage " + i);
    }
    List<Row> want = model.transform(rows()).orderBy("id").collectAsList();
    List<Row> got = loaded.transform(rows()).orderBy("id").collectAsList();
    assertEquals(want, got, "the loaded pipeline's rows");
    assertEquals(
        List.of("id", "text", "image", "ids", "vector", "prediction", "generated", "image_embedding"),
        List.of(loaded.transform(rows()).columns()));
  }

  @Test
  void aSingleStageSavesAndLoads(@TempDir Path tmp) throws Exception {
    TextGenerationTransformer t =
        new TextGenerationTransformer().setModelPath("/models/opt").setMaxNewTokens(7)
            .setTemperature(0.5f).setTopP(0.9f).setSeed(3).setBackend("reference").setThreads(2);
    String path = tmp.resolve("stage").toString();
    t.save(path);
    TextGenerationTransformer back = TextGenerationTransformer.load(path);
    assertEquals(t.uid(), back.uid());
    assertEquals("/models/opt", back.getModelPath());
    assertEquals(7, (Integer) back.getOrDefault(back.maxNewTokens()));
    assertEquals(0.9f, (Float) back.getOrDefault(back.topP()));
    assertEquals(3L, (Long) back.getOrDefault(back.seed()));
    assertEquals("reference", back.getBackend());
    assertEquals(2, back.getThreads());
  }

  @Test
  void parquetJsonAndCsvInAndOut(@TempDir Path tmp) {
    TextEmbeddingTransformer embed =
        new TextEmbeddingTransformer().setModelPath(Folders.roberta().toString());
    SequenceClassificationTransformer classify =
        new SequenceClassificationTransformer().setModelPath(Folders.robertaSeqCls().toString());
    Dataset<Row> source = TransformersTest.texts().where("text is not null");
    List<Row> want =
        classify.transform(embed.transform(source)).select("id", "embedding", "prediction")
            .orderBy("id").collectAsList();
    for (String format : List.of("parquet", "json", "csv")) {
      String in = tmp.resolve("in." + format).toString();
      String out = tmp.resolve("out." + format).toString();
      source.write().format(format).option("header", "true").save(in);
      Dataset<Row> read =
          spark.read().format(format).option("header", "true").option("inferSchema", "true")
              .load(in);
      Dataset<Row> result = classify.transform(embed.transform(read));
      // CSV holds no arrays or structs: there the outputs are written as JSON text.
      Dataset<Row> writable =
          format.equals("csv")
              ? result.select(
                  functions.col("id"),
                  functions.to_json(functions.col("embedding")).as("embedding"),
                  functions.to_json(functions.col("prediction")).as("prediction"))
              : result.select("id", "embedding", "prediction");
      writable.write().format(format).option("header", "true").save(out);
      Dataset<Row> back = spark.read().format(format).option("header", "true").load(out);
      if (format.equals("csv")) {
        back =
            back.select(
                functions.col("id").cast("int").as("id"),
                functions.from_json(functions.col("embedding"), embed.transformSchema(source.schema())
                        .apply("embedding").dataType()).as("embedding"),
                functions.from_json(functions.col("prediction"), classify.transformSchema(
                        embed.transformSchema(source.schema())).apply("prediction").dataType())
                    .as("prediction"));
      } else if (format.equals("json")) {
        // JSON reads numbers as long/double: back to the written types.
        back = back.select(
            functions.col("id").cast("int").as("id"),
            functions.col("embedding").cast("array<float>").as("embedding"),
            functions.col("prediction").cast("struct<label:string,score:double>").as("prediction"));
      }
      List<Row> got = back.select("id", "embedding", "prediction").orderBy("id").collectAsList();
      assertEquals(want.size(), got.size(), format + ": rows");
      for (int i = 0; i < want.size(); i++) {
        assertEquals(want.get(i).getInt(0), got.get(i).getInt(0), format + ": id");
        float[] w = TransformersTest.floats(want.get(i).get(1));
        float[] g = TransformersTest.floats(got.get(i).get(1));
        assertEquals(w.length, g.length, format);
        for (int k = 0; k < w.length; k++) {
          // Parquet stores the floats; JSON and CSV print them in shortest form and read back.
          assertEquals(w[k], g[k], 0f, format + ": row " + i + " element " + k);
        }
        assertEquals(want.get(i).getStruct(2), got.get(i).getStruct(2), format + ": prediction");
      }
      System.out.printf("[PipelineAndFilesTest] %s: %d rows in and out%n", format, got.size());
    }
  }

  @Test
  void badInputIsAClearError() {
    Dataset<Row> rows = TransformersTest.texts();
    TextEmbeddingTransformer t = new TextEmbeddingTransformer();
    IllegalArgumentException noPath =
        assertThrows(IllegalArgumentException.class, () -> t.transform(rows));
    assertTrue(noPath.getMessage().contains("modelPath is not set"), noPath.getMessage());

    IllegalArgumentException noColumn =
        assertThrows(
            IllegalArgumentException.class,
            () -> t.setModelPath("x").setInputCol("sentence").transform(rows));
    assertTrue(
        noColumn.getMessage().contains("inputCol 'sentence' is not a column of the input; it has id, text"),
        noColumn.getMessage());

    IllegalArgumentException wrongType =
        assertThrows(
            IllegalArgumentException.class, () -> t.setInputCol("id").transform(rows));
    assertTrue(
        wrongType.getMessage().contains("inputCol 'id' has type int; text embeddings need a string column"),
        wrongType.getMessage());

    IllegalArgumentException taken =
        assertThrows(
            IllegalArgumentException.class,
            () -> t.setInputCol("text").setOutputCol("id").transform(rows));
    assertTrue(taken.getMessage().contains("outputCol 'id' is already a column"), taken.getMessage());

    // A folder that no executor has: the job fails with the reason, naming the folder.
    Exception missing =
        assertThrows(
            Exception.class,
            () -> t.setOutputCol("embedding").setModelPath("/no/such/model").transform(rows)
                .collectAsList());
    assertTrue(
        rootMessage(missing).contains("modelPath /no/such/model is not a folder on"),
        rootMessage(missing));

    // A folder of the wrong kind.
    Exception notGenerative =
        assertThrows(
            Exception.class,
            () -> new TextGenerationTransformer().setModelPath(Folders.roberta().toString())
                .transform(rows).collectAsList());
    assertTrue(rootMessage(notGenerative).contains("which does not generate text"),
        rootMessage(notGenerative));

    assertThrows(IllegalArgumentException.class, () -> t.setBatchSize(0));
    assertThrows(IllegalArgumentException.class, () -> t.setPooling("max"));
  }

  /** The message of the innermost cause (Spark wraps a task's exception in its own). */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }
}
