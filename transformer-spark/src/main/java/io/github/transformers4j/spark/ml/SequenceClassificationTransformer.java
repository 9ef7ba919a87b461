package io.github.transformers4j.spark.ml;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import io.github.transformers4j.models.tasks.TextClassification;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The most probable label of each text and its probability, as {@code struct<label: string,
 * score: double>}: Hugging Face's text-classification pipeline, what {@code t4j classify} prints
 * (a {@code *ForSequenceClassification} folder, labels from {@code config.json}'s {@code
 * id2label}; softmax, or sigmoids for {@code problem_type} multi_label_classification).
 */
public final class SequenceClassificationTransformer
    extends T4jTransformer<SequenceClassificationTransformer> {
  private static final long serialVersionUID = 1L;

  public SequenceClassificationTransformer() {
    this(Identifiable.randomUID("t4jSequenceClassification"));
  }

  public SequenceClassificationTransformer(String uid) {
    super(uid);
    setDefault(outputCol(), "prediction");
  }

  public static MLReader<SequenceClassificationTransformer> read() {
    return new DefaultParamsReader<>();
  }

  public static SequenceClassificationTransformer load(String path) {
    return read().load(path);
  }

  @Override
  protected String what() {
    return "texts to classify";
  }


  @Override
  protected DataType outputType() {
    return DataTypes.createStructType(
        List.of(
            DataTypes.createStructField("label", DataTypes.StringType, false),
            DataTypes.createStructField("score", DataTypes.DoubleType, false)));
  }

  /** The folder's classification pipeline, as {@code t4j classify} builds it. */
  static TextClassification loadFolder(Ops ops, Path folder) throws IOException {
    Map<String, Object> config = HfConfig.read(folder.resolve(Pretrained.CONFIG));
    PretrainedModel m = Pretrained.load(ops, folder);
    if (!(m instanceof SequenceClassifier classifier)) {
      throw new IllegalArgumentException(
          "modelPath " + folder + " holds a " + m.architecture() + " model ("
              + m.getClass().getSimpleName() + ") without a sequence-classification head"
              + " (architectures: *ForSequenceClassification)");
    }
    m.train(false, 0);
    TextTokenizer tok;
    try {
      tok = Tokenizers.installed().forName("auto").load(folder);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "modelPath " + folder + " has no tokenizer this library reads: " + e.getMessage(), e);
    }
    int pad = config.get("pad_token_id") instanceof Number n ? n.intValue() : 0;
    boolean multi = "multi_label_classification".equals(config.get("problem_type"));
    return new TextClassification(classifier, tok, pad, multi);
  }

  @Override
  protected BatchFunction batchFunction() {
    return (settings, inputs) -> {
      TextClassification pipeline =
          ModelCache.get(settings.key("classification"), SequenceClassificationTransformer::loadFolder);
      return pipeline.classify(inputs.stream().map(String.class::cast).toList()).stream()
          .map(labels -> RowFactory.create(labels.get(0).label(), labels.get(0).score()))
          .toList();
    };
  }
}
