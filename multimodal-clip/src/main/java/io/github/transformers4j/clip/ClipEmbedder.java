package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.clip.image.ClipImageProcessor;
import io.github.transformers4j.training.data.Pixels;
import io.github.transformers4j.training.data.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Texts and image files to CLIP embeddings, on the host: tokenize and pad as Hugging Face's {@code
 * CLIPTokenizer} ({@link ClipTextInputs}), preprocess as its Pillow image processor ({@link
 * ClipImageProcessor}), run the model's towers in batches and L2-normalize. What {@code t4j clip
 * embed} and {@code t4j clip zero-shot} print, as a library call:
 *
 * <pre>{@code
 * ClipModel clip = ClipModel.load(ops, dir);
 * ClipEmbedder e = new ClipEmbedder(ops, clip, tokenizer, ClipImageProcessor.load(dir));
 * float[][] images = e.embedImages(List.of(Path.of("cat.png")));
 * ZeroShot z = e.zeroShot(List.of("cat", "dog"), List.of(ZeroShot.DEFAULT_TEMPLATE));
 * }</pre>
 */
public final class ClipEmbedder {
  /** Texts or images per forward pass. */
  public static final int DEFAULT_BATCH = 16;

  private final Ops ops;
  private final ClipModel model;
  private final TextTokenizer tokenizer;
  private final ClipImageProcessor processor;
  private final int batch;
  private boolean truncate;

  /** An embedder over {@code model}, {@link #DEFAULT_BATCH} inputs per forward pass. */
  public ClipEmbedder(Ops ops, ClipModel model, TextTokenizer tokenizer, ClipImageProcessor processor) {
    this(ops, model, tokenizer, processor, DEFAULT_BATCH);
  }

  /**
   * An embedder with {@code batch} inputs per forward pass.
   *
   * @throws IllegalArgumentException when {@code batch} is not positive, or when the processor's
   *     output size is not the model's image size
   */
  public ClipEmbedder(
      Ops ops, ClipModel model, TextTokenizer tokenizer, ClipImageProcessor processor, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    int side = model.config().vision().imageSize();
    if (processor != null
        && (!processor.doCenterCrop() || processor.cropHeight() != side || processor.cropWidth() != side)
        && !(processor.doResize()
            && processor.size().height() == side
            && processor.size().width() == side)) {
      throw new IllegalArgumentException(
          "the image processor does not make " + side + "x" + side + " pictures (the model's"
              + " image_size): " + processor.toJson());
    }
    this.ops = ops;
    this.model = model;
    this.tokenizer = tokenizer;
    this.processor = processor;
    this.batch = batch;
    model.train(false, 0);
  }

  /**
   * This embedder, but cutting a text longer than the text tower's positions to them (keeping the
   * final end-of-text id, as Hugging Face's tokenizer with {@code truncation=True}) instead of
   * refusing it.
   */
  public ClipEmbedder truncating() {
    ClipEmbedder e = new ClipEmbedder(ops, model, tokenizer, processor, batch);
    e.truncate = true;
    return e;
  }

  /**
   * The projected features of {@code texts}, (N, P), not normalized.
   *
   * @throws IllegalArgumentException for a text longer than the model's positions, unless {@link
   *     #truncating()}
   */
  public float[][] textFeatures(List<String> texts) {
    requireTokenizer();
    int max = model.config().text().maxPositionEmbeddings();
    List<float[]> out = new ArrayList<>(texts.size());
    for (int start = 0; start < texts.size(); start += batch) {
      List<String> part = texts.subList(start, Math.min(texts.size(), start + batch));
      ClipTextInputs in;
      try {
        in = ClipTextInputs.encode(tokenizer, part, max, truncate);
      } catch (IllegalArgumentException e) {
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("^text (\\d+) ").matcher(e.getMessage());
        // The index within the whole list, not within this batch.
        throw m.find()
            ? new IllegalArgumentException(
                "text " + (start + Integer.parseInt(m.group(1))) + " " + e.getMessage().substring(m.end()),
                e)
            : e;
      }
      Tensor ids = ops.ids(in.ids().data(), in.ids().rows(), in.ids().cols());
      Tensor mask = ops.ids(in.mask().data(), in.mask().rows(), in.mask().cols());
      rows(model.encodeText(ops, ids, mask), part.size(), out);
    }
    return out.toArray(new float[0][]);
  }

  /** The projected features of the image files, (N, P), not normalized. */
  public float[][] imageFeatures(List<Path> images) throws IOException {
    if (processor == null) {
      throw new IllegalStateException("this embedder has no image processor");
    }
    List<float[]> out = new ArrayList<>(images.size());
    for (int start = 0; start < images.size(); start += batch) {
      List<Path> part = images.subList(start, Math.min(images.size(), start + batch));
      Pixels px = processor.batch(part);
      Tensor t = ops.tensor(px.data(), px.batch(), px.channels(), px.height(), px.width());
      rows(model.encodeImage(ops, t), part.size(), out);
    }
    return out.toArray(new float[0][]);
  }

  /** The L2-normalized embeddings of {@code texts}, (N, P). */
  public float[][] embedTexts(List<String> texts) {
    return normalized(textFeatures(texts));
  }

  /** The L2-normalized embeddings of the image files, (N, P). */
  public float[][] embedImages(List<Path> images) throws IOException {
    return normalized(imageFeatures(images));
  }

  /** A zero-shot classifier over {@code labels} with {@code templates}, at the model's temperature. */
  public ZeroShot zeroShot(List<String> labels, List<String> templates) {
    requireTokenizer();
    return ZeroShot.of(labels, templates, this::textFeatures, model.logitScale().item());
  }

  private void requireTokenizer() {
    if (tokenizer == null) {
      throw new IllegalStateException("this embedder has no tokenizer");
    }
  }

  private static void rows(Tensor features, int n, List<float[]> out) {
    float[] v = features.toFloatArray();
    int p = v.length / n;
    for (int i = 0; i < n; i++) {
      float[] row = new float[p];
      System.arraycopy(v, i * p, row, 0, p);
      out.add(row);
    }
  }

  /** Each row divided by its Euclidean norm (in double, rounded once). */
  public static float[][] normalized(float[][] rows) {
    float[][] out = new float[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      double n = 0;
      for (float x : rows[r]) {
        n += (double) x * x;
      }
      n = Math.sqrt(n);
      out[r] = new float[rows[r].length];
      for (int i = 0; i < out[r].length; i++) {
        out[r][i] = (float) (rows[r][i] / n);
      }
    }
    return out;
  }
}
