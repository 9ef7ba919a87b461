package io.github.transformers4j.clip;

import java.util.ArrayList;
import java.util.List;

/**
 * Zero-shot image classification with CLIP: each label becomes a text embedding, an image goes to
 * the label whose embedding is nearest in angle.
 *
 * <p>Each label is written into every prompt template ({@code "a photo of a {}."}); its embedding
 * is the mean of the templates' L2-normalized text embeddings, normalized again (the prompt
 * ensembling of the CLIP paper). The scores of an image are the softmax over labels of {@code
 * exp(logit_scale)·cos(image, label)}, so they sum to 1 and follow the model's own temperature.
 *
 * <p>The class works on host arrays: a {@link TextEncoder} (the model's text tower, through a
 * tokenizer) gives the raw features once, at construction; classifying an image is a few dot
 * products.
 */
public final class ZeroShot {
  /** The template used when none is given. */
  public static final String DEFAULT_TEMPLATE = "a photo of a {}.";

  /** The placeholder a template holds for the label. */
  public static final String PLACEHOLDER = "{}";

  /** Texts to projected text features, not necessarily normalized: (N) texts to (N, P). */
  @FunctionalInterface
  public interface TextEncoder {
    /** The features of {@code texts}, one row per text, in order. */
    float[][] encode(List<String> texts);
  }

  /**
   * One image's result.
   *
   * @param index the position of the best label in {@link #labels()}
   * @param label the best label
   * @param scores a probability per label, in label order
   */
  public record Prediction(int index, String label, float[] scores) {}

  private final List<String> labels;
  private final float[][] labelEmbeddings;
  private final float logitScale;

  private ZeroShot(List<String> labels, float[][] labelEmbeddings, float logitScale) {
    this.labels = List.copyOf(labels);
    this.labelEmbeddings = labelEmbeddings;
    this.logitScale = logitScale;
  }

  /**
   * A classifier over {@code labels}, each written into every one of {@code templates}.
   *
   * @param logitScale the model's {@code logit_scale} (the log of the inverse temperature)
   * @throws IllegalArgumentException for no labels, a blank or repeated label, no templates, or a
   *     template without {@code {}}
   */
  public static ZeroShot of(
      List<String> labels, List<String> templates, TextEncoder encoder, float logitScale) {
    checkLabels(labels);
    if (templates.isEmpty()) {
      throw new IllegalArgumentException("zero-shot: no templates (the default is \"" + DEFAULT_TEMPLATE + "\")");
    }
    for (String t : templates) {
      if (!t.contains(PLACEHOLDER)) {
        throw new IllegalArgumentException(
            "zero-shot: template \"" + t + "\" has no " + PLACEHOLDER + " where the label goes");
      }
    }
    List<String> texts = new ArrayList<>(labels.size() * templates.size());
    for (String label : labels) {
      for (String t : templates) {
        texts.add(t.replace(PLACEHOLDER, label));
      }
    }
    float[][] features = encoder.encode(texts);
    if (features.length != texts.size()) {
      throw new IllegalStateException(
          "zero-shot: the text encoder gave " + features.length + " rows for " + texts.size() + " texts");
    }
    float[][][] perLabel = new float[labels.size()][templates.size()][];
    for (int l = 0; l < labels.size(); l++) {
      for (int t = 0; t < templates.size(); t++) {
        perLabel[l][t] = features[l * templates.size() + t];
      }
    }
    return fromTemplateEmbeddings(labels, perLabel, logitScale);
  }

  /**
   * A classifier from the text features of each label's templates: {@code features[label][template]}
   * (raw, any norm).
   */
  public static ZeroShot fromTemplateEmbeddings(
      List<String> labels, float[][][] features, float logitScale) {
    checkLabels(labels);
    if (features.length != labels.size()) {
      throw new IllegalArgumentException(
          "zero-shot: " + features.length + " feature groups for " + labels.size() + " labels");
    }
    if (!Float.isFinite(logitScale)) {
      throw new IllegalArgumentException("zero-shot: logit_scale is " + logitScale);
    }
    float[][] out = new float[labels.size()][];
    for (int l = 0; l < labels.size(); l++) {
      out[l] = labelEmbedding(features[l]);
    }
    return new ZeroShot(labels, out, logitScale);
  }

  /** The renormalized mean of the normalized rows of {@code templates} (T, P). */
  public static float[] labelEmbedding(float[][] templates) {
    if (templates.length == 0) {
      throw new IllegalArgumentException("zero-shot: a label without template embeddings");
    }
    int p = templates[0].length;
    double[] mean = new double[p];
    for (float[] t : templates) {
      if (t.length != p) {
        throw new IllegalArgumentException("zero-shot: embeddings of " + t.length + " and " + p + " values");
      }
      double n = norm(t);
      for (int i = 0; i < p; i++) {
        mean[i] += t[i] / n / templates.length;
      }
    }
    double n = 0;
    for (double v : mean) {
      n += v * v;
    }
    n = Math.sqrt(n);
    float[] out = new float[p];
    for (int i = 0; i < p; i++) {
      out[i] = (float) (mean[i] / n);
    }
    return out;
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  private static void checkLabels(List<String> labels) {
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("zero-shot: no labels");
    }
    for (int i = 0; i < labels.size(); i++) {
      String l = labels.get(i);
      if (l == null || l.isBlank()) {
        throw new IllegalArgumentException("zero-shot: label " + (i + 1) + " is empty");
      }
      if (labels.indexOf(l) != i) {
        throw new IllegalArgumentException("zero-shot: label \"" + l + "\" is given twice");
      }
    }
  }

  /** The labels, in the order given. */
  public List<String> labels() {
    return labels;
  }

  /** The normalized text embedding of each label, (L, P). */
  public float[][] labelEmbeddings() {
    float[][] c = new float[labelEmbeddings.length][];
    for (int i = 0; i < c.length; i++) {
      c[i] = labelEmbeddings[i].clone();
    }
    return c;
  }

  /** The model's {@code logit_scale}; the scores use its exponential. */
  public float logitScale() {
    return logitScale;
  }

  /** The probability of each label for an image's features (P), any norm. */
  public float[] scores(float[] imageFeatures) {
    int p = labelEmbeddings[0].length;
    if (imageFeatures.length != p) {
      throw new IllegalArgumentException(
          "zero-shot: image features of " + imageFeatures.length + " values, labels of " + p);
    }
    double n = norm(imageFeatures);
    double scale = Math.exp(logitScale);
    double[] logits = new double[labels.size()];
    double max = Double.NEGATIVE_INFINITY;
    for (int l = 0; l < logits.length; l++) {
      double dot = 0;
      for (int i = 0; i < p; i++) {
        dot += (double) imageFeatures[i] * labelEmbeddings[l][i];
      }
      logits[l] = scale * dot / n;
      max = Math.max(max, logits[l]);
    }
    double sum = 0;
    for (int l = 0; l < logits.length; l++) {
      logits[l] = Math.exp(logits[l] - max);
      sum += logits[l];
    }
    float[] out = new float[logits.length];
    for (int l = 0; l < out.length; l++) {
      out[l] = (float) (logits[l] / sum);
    }
    return out;
  }

  /** The best label of an image's features (P), with every label's probability. */
  public Prediction classify(float[] imageFeatures) {
    float[] s = scores(imageFeatures);
    int best = 0;
    for (int l = 1; l < s.length; l++) {
      if (s[l] > s[best]) {
        best = l;
      }
    }
    return new Prediction(best, labels.get(best), s);
  }

  /** {@link #classify(float[])} of each row of {@code imageFeatures} (B, P). */
  public List<Prediction> classify(float[][] imageFeatures) {
    List<Prediction> out = new ArrayList<>(imageFeatures.length);
    for (float[] f : imageFeatures) {
      out.add(classify(f));
    }
    return out;
  }
}
