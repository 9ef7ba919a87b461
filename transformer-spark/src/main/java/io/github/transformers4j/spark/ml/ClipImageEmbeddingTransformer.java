package io.github.transformers4j.spark.ml;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.clip.ClipEmbedder;
import io.github.transformers4j.clip.ClipModel;
import io.github.transformers4j.clip.image.ClipImageProcessor;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * CLIP image embeddings, one {@code array<float>} per row, as {@code t4j clip embed} prints them
 * for images (preprocessed as Hugging Face's {@code CLIPImageProcessor} with Pillow, the vision
 * tower, the projection, L2-normalized unless {@code normalize} is false).
 *
 * <p>The input column holds either image files by path (a string, as every executor sees it) or
 * the files' bytes (binary: Spark's {@code binaryFile} source gives them in {@code content}). PNG,
 * JPEG, BMP and GIF, as {@code t4j clip} reads them. Text embeddings of a CLIP folder come from
 * {@link TextEmbeddingTransformer}.
 */
public final class ClipImageEmbeddingTransformer
    extends T4jTransformer<ClipImageEmbeddingTransformer> {
  private static final long serialVersionUID = 1L;

  private final BooleanParam normalize;

  public ClipImageEmbeddingTransformer() {
    this(Identifiable.randomUID("t4jClipImageEmbedding"));
  }

  public ClipImageEmbeddingTransformer(String uid) {
    super(uid);
    normalize = new BooleanParam(this, "normalize", "whether vectors are L2-normalized");
    setDefault(normalize, true);
    setDefault(inputCol(), "content");
    setDefault(outputCol(), "embedding");
  }

  public BooleanParam normalize() {
    return normalize;
  }

  public ClipImageEmbeddingTransformer setNormalize(boolean value) {
    set(normalize, value);
    return this;
  }

  public static MLReader<ClipImageEmbeddingTransformer> read() {
    return new DefaultParamsReader<>();
  }

  public static ClipImageEmbeddingTransformer load(String path) {
    return read().load(path);
  }

  @Override
  protected String what() {
    return "CLIP image embeddings";
  }

  @Override
  protected boolean acceptsInput(DataType type) {
    return type.equals(DataTypes.StringType) || type.equals(DataTypes.BinaryType);
  }

  @Override
  protected String acceptedInput() {
    return "a string column of image paths or a binary column of image files' bytes";
  }

  @Override
  protected DataType outputType() {
    return DataTypes.createArrayType(DataTypes.FloatType, false);
  }

  /** The folder's CLIP model with its image processor, as {@code t4j clip embed} builds it. */
  static ClipEmbedder loadFolder(Ops ops, Path folder, int batch) throws IOException {
    ClipModel clip = Pretrained.load(ops, folder, ClipModel.class);
    ClipImageProcessor processor =
        Files.isRegularFile(folder.resolve(ClipImageProcessor.FILE))
            ? ClipImageProcessor.load(folder)
            : ClipImageProcessor.clip(clip.config().vision().imageSize());
    return new ClipEmbedder(ops, clip, null, processor, batch);
  }

  @Override
  protected BatchFunction batchFunction() {
    boolean norm = (Boolean) $(normalize);
    return (settings, inputs) -> {
      int batch = settings.batchSize();
      ClipEmbedder embedder =
          ModelCache.get(
              settings.key("clip-image/" + batch), (ops, folder) -> loadFolder(ops, folder, batch));
      List<Path> files = new ArrayList<>(inputs.size());
      List<Path> temporary = new ArrayList<>();
      try {
        for (Object in : inputs) {
          if (in instanceof byte[] bytes) {
            // Through a file, so bytes decode exactly as t4j clip reads files.
            Path tmp = Files.createTempFile("t4j-clip-", ".img");
            temporary.add(tmp);
            Files.write(tmp, bytes);
            files.add(tmp);
          } else {
            files.add(Path.of((String) in));
          }
        }
        float[][] v = norm ? embedder.embedImages(files) : embedder.imageFeatures(files);
        return Arrays.stream(v).map(TextEmbeddingTransformer::boxed).toList();
      } finally {
        for (Path tmp : temporary) {
          Files.deleteIfExists(tmp);
        }
      }
    };
  }
}
