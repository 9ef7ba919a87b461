package io.github.transformers4j.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.clip.ClipEmbedder;
import io.github.transformers4j.models.embedding.EmbeddingOptions;
import io.github.transformers4j.models.embedding.TextEmbeddings;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.HfGenerationSettings;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.tasks.TextClassification;
import io.github.transformers4j.models.tasks.TextGeneration;
import io.github.transformers4j.spark.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every transformer on the shared {@code local[2]} session, against the library calls that the
 * command line makes on the same rows: two partitions, batches of 3 (so batches are partial and
 * rows meet different neighbours than in the library call), a null row.
 */
class TransformersTest {
  /** Embeddings and probabilities: the batching differs, float rounding may. */
  static final double TOLERANCE = 1e-6;

  static final List<String> TEXTS =
      List.of(
          "This movie was great, I loved every minute of it!",
          "The weather in London is terrible today.",
          "Spark schedules tasks.",
          "a",
          "The right to food is a basic human right, and the Commission should say so clearly.",
          "Gas from Norway",
          "the the the the",
          "Why?");

  static SparkSession spark;
  static Ops ops;

  @BeforeAll
  static void start() {
    spark = LocalSpark.session();
    ops = new Ops(Backends.installed().create("cpu", BackendOptions.none()));
  }

  /** The texts with an id, one null text, in two partitions. */
  static Dataset<Row> texts() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < TEXTS.size(); i++) {
      rows.add(RowFactory.create(i, TEXTS.get(i)));
    }
    rows.add(RowFactory.create(TEXTS.size(), null));
    StructType schema =
        new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType);
    return LocalSpark.session().createDataFrame(rows, schema).repartition(2);
  }

  /** The output column of every row, ordered by id. */
  static List<Object> column(Dataset<Row> out, String name) {
    List<Row> rows = new ArrayList<>(out.select("id", name).collectAsList());
    rows.sort((a, b) -> Integer.compare(a.getInt(0), b.getInt(0)));
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(i, rows.get(i).getInt(0), "row ids");
      values.add(rows.get(i).isNullAt(1) ? null : rows.get(i).get(1));
    }
    return values;
  }

  static float[] floats(Object sparkArray) {
    List<Object> list = scala.jdk.javaapi.CollectionConverters.asJava(
        ((scala.collection.Seq<?>) sparkArray).toSeq()).stream().map(Object.class::cast).toList();
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Float) list.get(i);
    }
    return out;
  }

  static void assertClose(float[][] want, List<Object> got, String what) {
    assertEquals(want.length + 1, got.size(), what + ": rows");
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      float[] g = floats(got.get(i));
      assertEquals(want[i].length, g.length, what + ": width of row " + i);
      for (int k = 0; k < g.length; k++) {
        worst = Math.max(worst, Math.abs(g[k] - want[i][k]));
      }
    }
    System.out.printf("[TransformersTest] %s: max |spark - library| = %.3g%n", what, worst);
    assertTrue(worst <= TOLERANCE, what + ": max |diff| " + worst + " > " + TOLERANCE);
    assertNull(got.get(want.length), what + ": a null text gives a null output");
  }

  @Test
  void textEmbeddingsEqualTheLibrarys() throws Exception {
    Path dir = Folders.roberta();
    int before = ModelCache.loads();
    TextEmbeddingTransformer t =
        new TextEmbeddingTransformer().setModelPath(dir.toString()).setBatchSize(3);
    List<Object> got = column(t.transform(texts()), "embedding");
    // Two partitions, two task threads, one load of the folder in this JVM.
    assertEquals(1, ModelCache.loads() - before, "loads of the folder");
    float[][] want =
        TextEmbeddings.forModelType("roberta").orElseThrow()
            .load(ops, dir, EmbeddingOptions.DEFAULTS)
            .embed(TEXTS);
    assertClose(want, got, "roberta sentence embeddings");
    // Reused: a second job loads nothing.
    column(t.transform(texts()), "embedding");
    assertEquals(1, ModelCache.loads() - before, "loads after a second job");
  }

  @Test
  void clipTextEmbeddingsEqualTheLibrarys() throws Exception {
    Path dir = Folders.clip();
    TextEmbeddingTransformer t =
        new TextEmbeddingTransformer().setModelPath(dir.toString()).setBatchSize(3);
    List<Object> got = column(t.transform(texts()), "embedding");
    float[][] want =
        TextEmbeddings.forModelType("clip").orElseThrow()
            .load(ops, dir, EmbeddingOptions.DEFAULTS)
            .embed(TEXTS);
    assertClose(want, got, "CLIP text embeddings");
  }

  @Test
  void clipImageEmbeddingsFromPathsAndBytesEqualTheLibrarys() throws Exception {
    Path dir = Folders.clip();
    List<Path> images =
        List.of(dir.resolve("red-scene.png"), dir.resolve("tall.png"), dir.resolve("wide.png"));
    ClipEmbedder library =
        ClipImageEmbeddingTransformer.loadFolder(ops, dir, ClipEmbedder.DEFAULT_BATCH);
    float[][] want = library.embedImages(images);

    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      rows.add(RowFactory.create(i, images.get(i).toString()));
    }
    rows.add(RowFactory.create(images.size(), null));
    Dataset<Row> paths =
        spark.createDataFrame(
            rows, new StructType().add("id", DataTypes.IntegerType).add("path", DataTypes.StringType))
            .repartition(2);
    ClipImageEmbeddingTransformer t =
        new ClipImageEmbeddingTransformer().setModelPath(dir.toString()).setInputCol("path")
            .setBatchSize(2);
    assertClose(want, column(t.transform(paths), "embedding"), "CLIP image embeddings (paths)");

    // Spark's binaryFile source: path, modificationTime, length, content.
    Dataset<Row> files = spark.read().format("binaryFile").option("pathGlobFilter", "*.png")
        .load(dir.toString());
    List<Row> got = files.transform(t.copy(new org.apache.spark.ml.param.ParamMap())
            .setInputCol("content")::transform)
        .select("path", "embedding").collectAsList();
    assertEquals(3, got.size(), "binaryFile rows");
    double worst = 0;
    for (Row r : got) {
      String name = Path.of(java.net.URI.create(r.getString(0))).getFileName().toString();
      int i = images.stream().map(p -> p.getFileName().toString()).toList().indexOf(name);
      float[] g = floats(r.get(1));
      for (int k = 0; k < g.length; k++) {
        worst = Math.max(worst, Math.abs(g[k] - want[i][k]));
      }
    }
    System.out.printf("[TransformersTest] CLIP image embeddings (bytes): max |diff| = %.3g%n", worst);
    assertTrue(worst <= TOLERANCE, "CLIP image embeddings from bytes: max |diff| " + worst);
  }

  @Test
  void greedyGenerationEqualsEachPromptGeneratedAlone() throws Exception {
    Path dir = Folders.opt();
    int maxNew = 12;
    TextGenerationTransformer t =
        new TextGenerationTransformer().setModelPath(dir.toString()).setBatchSize(3)
            .setMaxNewTokens(maxNew);
    List<Object> got = column(t.transform(texts()), "generated");
    // What `t4j generate --greedy --max-new 12 --prompt TEXT` computes, prompt by prompt.
    PretrainedModel m = Pretrained.load(ops, dir);
    TextTokenizer tok = Tokenizers.installed().forName("auto").load(dir);
    GenerationConfig g =
        HfGenerationSettings.greedy(
                HfGenerationSettings.apply(
                    HfGenerationSettings.defaults(), HfGenerationSettings.read(dir), "folder"))
            .withMaxNewTokens(maxNew)
            .withMaxLength(0);
    g = HfGenerationSettings.forVocabulary(g, ((CausalLm) m).vocabSize(), tok.vocabularySize(), "x");
    int nonEmpty = 0;
    for (int i = 0; i < TEXTS.size(); i++) {
      int[] prompt = tok.encodeIds(TEXTS.get(i));
      int[] all = TextGeneration.generate(m, prompt, g);
      String want = tok.decodeIds(Arrays.copyOfRange(all, prompt.length, all.length), true);
      assertEquals(want, got.get(i), "generation of prompt " + i);
      nonEmpty += want.isEmpty() ? 0 : 1;
    }
    assertTrue(nonEmpty > TEXTS.size() / 2, "most prompts generate some text: " + got);
    assertNull(got.get(TEXTS.size()));
  }

  @Test
  void sampledGenerationDependsOnTheSeedNotOnThePartitioning() {
    TextGenerationTransformer t =
        new TextGenerationTransformer().setModelPath(Folders.opt().toString()).setBatchSize(3)
            .setMaxNewTokens(8).setTemperature(1.5f).setSeed(7);
    List<Object> twoPartitions = column(t.transform(texts()), "generated");
    List<Object> onePartition = column(t.transform(texts().coalesce(1)), "generated");
    assertEquals(twoPartitions, onePartition);
    List<Object> otherSeed = column(t.setSeed(8).transform(texts()), "generated");
    assertTrue(!otherSeed.equals(twoPartitions), "another seed samples other text");
  }

  @Test
  void classificationEqualsTheLibraryAndHuggingFacesPipeline() throws Exception {
    Path dir = Folders.robertaSeqCls();
    SequenceClassificationTransformer t =
        new SequenceClassificationTransformer().setModelPath(dir.toString()).setBatchSize(3);
    List<Object> got = column(t.transform(texts()), "prediction");
    TextClassification library = SequenceClassificationTransformer.loadFolder(ops, dir);
    List<List<TextClassification.Label>> want = library.classify(TEXTS);
    for (int i = 0; i < TEXTS.size(); i++) {
      Row r = (Row) got.get(i);
      assertEquals(want.get(i).get(0).label(), r.getString(0), "label of text " + i);
      assertEquals(want.get(i).get(0).score(), r.getDouble(1), TOLERANCE, "score of text " + i);
    }
    // The first two texts are the fixture's: Hugging Face's pipeline (4 decimals in the file).
    JsonObject hf =
        JsonParser.parseString(
                Files.readString(SharedData.require("models/hf-tiny/pipelines/expected_pipelines.json")))
            .getAsJsonObject()
            .getAsJsonObject("classify");
    JsonArray outputs = hf.getAsJsonArray("outputs");
    for (int i = 0; i < 2; i++) {
      assertEquals(TEXTS.get(i), hf.getAsJsonArray("texts").get(i).getAsString());
      JsonObject best = outputs.get(i).getAsJsonArray().get(0).getAsJsonObject();
      Row r = (Row) got.get(i);
      assertEquals(best.get("label").getAsString(), r.getString(0));
      assertEquals(best.get("score").getAsDouble(), r.getDouble(1), 1e-5);
    }
  }

  @Test
  void tokenizationEqualsTheFoldersTokenizer() throws Exception {
    Path dir = Folders.roberta();
    TokenizationTransformer t =
        new TokenizationTransformer().setModelPath(dir.toString()).setBatchSize(3);
    List<Object> got = column(t.transform(texts()), "ids");
    TextTokenizer tok = Tokenizers.installed().forName("auto").load(dir);
    for (int i = 0; i < TEXTS.size(); i++) {
      List<?> ids = scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) got.get(i));
      int[] g = ids.stream().mapToInt(o -> (Integer) o).toArray();
      assertArrayEquals(tok.encodeIds(TEXTS.get(i)), g, "ids of text " + i);
    }
    assertNull(got.get(TEXTS.size()));
  }
}
