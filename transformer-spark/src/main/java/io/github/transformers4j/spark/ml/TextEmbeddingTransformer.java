package io.github.transformers4j.spark.ml;

import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.embedding.EmbeddingOptions;
import io.github.transformers4j.models.embedding.TextEmbedding;
import io.github.transformers4j.models.embedding.TextEmbeddingProvider;
import io.github.transformers4j.models.embedding.TextEmbeddings;
import io.github.transformers4j.models.nn.WeightPrecision;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Text embeddings of a string column, one {@code array<float>} per row, from any folder an
 * installed {@link TextEmbeddings} provider loads: BERT-family sentence embeddings ({@code bert},
 * {@code roberta}, {@code electra}: what {@code t4j embed} prints) and CLIP's text tower ({@code
 * clip}: what {@code t4j clip embed} prints for texts).
 *
 * <p>A {@link TextEmbedding} computes one call at a time, so the tasks of one executor take turns
 * on its one copy of the model, and the {@code cpu} backend spreads each forward pass over the
 * executor's cores ({@code threads}).
 */
public final class TextEmbeddingTransformer extends T4jTransformer<TextEmbeddingTransformer> {
  private static final long serialVersionUID = 1L;

  private final Param<String> pooling;
  private final BooleanParam normalize;

  public TextEmbeddingTransformer() {
    this(Identifiable.randomUID("t4jTextEmbedding"));
  }

  public TextEmbeddingTransformer(String uid) {
    super(uid);
    pooling =
        new Param<>(
            this,
            "pooling",
            "how a BERT-family model pools token vectors: mean (over real tokens, as"
                + " sentence-transformers) or cls; CLIP pools at its end-of-text token",
            ParamValidators.inArray(new String[] {"mean", "cls"}));
    normalize = new BooleanParam(this, "normalize", "whether vectors are L2-normalized");
    setDefault(pooling, "mean");
    setDefault(normalize, true);
    setDefault(outputCol(), "embedding");
  }

  public Param<String> pooling() {
    return pooling;
  }

  public BooleanParam normalize() {
    return normalize;
  }

  public String getPooling() {
    return $(pooling);
  }

  public boolean getNormalize() {
    return (Boolean) $(normalize);
  }

  public TextEmbeddingTransformer setPooling(String value) {
    set(pooling, value);
    return this;
  }

  public TextEmbeddingTransformer setNormalize(boolean value) {
    set(normalize, value);
    return this;
  }

  /** Spark ML's reader, for {@code Pipeline.load} and {@link #load}. */
  public static MLReader<TextEmbeddingTransformer> read() {
    return new DefaultParamsReader<>();
  }

  /** A transformer saved with {@code write().save(path)}. */
  public static TextEmbeddingTransformer load(String path) {
    return read().load(path);
  }

  @Override
  protected String what() {
    return "text embeddings";
  }


  @Override
  protected DataType outputType() {
    return DataTypes.createArrayType(DataTypes.FloatType, false);
  }

  @Override
  protected BatchFunction batchFunction() {
    String pool = getPooling();
    boolean norm = getNormalize();
    return (settings, inputs) -> {
      EmbeddingOptions options =
          new EmbeddingOptions(WeightPrecision.F32, pool, norm, settings.batchSize());
      TextEmbedding model =
          ModelCache.get(
              settings.key("text-embedding/" + pool + "/" + norm + "/" + settings.batchSize()),
              (ops, folder) -> {
                Object type = HfConfig.read(folder.resolve("config.json")).get("model_type");
                TextEmbeddingProvider provider =
                    TextEmbeddings.forModelType(String.valueOf(type))
                        .orElseThrow(
                            () ->
                                new IllegalArgumentException(
                                    "modelPath " + settings.modelPath() + " has model_type " + type
                                        + ", which no installed text-embedding provider loads;"
                                        + " they load " + TextEmbeddings.modelTypes()));
                return provider.load(ops, folder, options);
              });
      List<String> texts = inputs.stream().map(String.class::cast).toList();
      float[][] vectors;
      // TextEmbedding's contract: one embed call at a time per loaded model.
      synchronized (model) {
        vectors = model.embed(texts);
      }
      return Arrays.stream(vectors).map(TextEmbeddingTransformer::boxed).toList();
    };
  }

  /** A float vector as Spark's external type of {@code array<float>}. */
  static Float[] boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
