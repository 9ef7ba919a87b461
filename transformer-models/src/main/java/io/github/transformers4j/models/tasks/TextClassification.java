package io.github.transformers4j.models.tasks;

import io.github.transformers4j.api.spi.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Hugging Face's {@code text-classification} pipeline over any {@link SequenceClassifier}: each
 * text's labels with their probabilities (softmax over the classes; a sigmoid when the head has
 * one output or the model is multi-label, as the pipeline's {@code function_to_apply}).
 */
public final class TextClassification {
  /** A label and its probability. */
  public record Label(String label, double score) {}

  private final SequenceClassifier model;
  private final TextTokenizer tokenizer;
  private final int padId;
  private final boolean sigmoid;

  /**
   * @param multiLabel scores by independent sigmoids ({@code problem_type}
   *     multi_label_classification) instead of one softmax
   */
  public TextClassification(
      SequenceClassifier model, TextTokenizer tokenizer, int padId, boolean multiLabel) {
    this.model = Objects.requireNonNull(model, "model");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.padId = padId;
    this.sigmoid = multiLabel || model.labels().size() == 1;
  }

  /** Every label of each text, most probable first. */
  public List<List<Label>> classify(List<String> texts) {
    int[][] rows = texts.stream().map(tokenizer::encodeIds).toArray(int[][]::new);
    Batches b = Batches.rightPadded(rows, padId, model.maxPositions());
    float[] logits = model.logits(b.ids(), b.mask(), b.batch()).toFloatArray();
    List<String> labels = model.labels();
    int n = logits.length / b.batch();
    if (n != labels.size()) {
      throw new IllegalStateException(
          "the head gives " + n + " scores but the config names " + labels.size() + " labels");
    }
    List<List<Label>> out = new ArrayList<>();
    for (int i = 0; i < b.batch(); i++) {
      double[] p;
      if (sigmoid) {
        p = new double[n];
        for (int k = 0; k < n; k++) {
          p[k] = 1 / (1 + Math.exp(-logits[i * n + k]));
        }
      } else {
        p = Batches.softmax(logits, i * n, n);
      }
      Integer[] order = new Integer[n];
      Arrays.setAll(order, k -> k);
      double[] q = p;
      Arrays.sort(order, (x, y) -> Double.compare(q[y], q[x]));
      List<Label> row = new ArrayList<>();
      for (int k : order) {
        row.add(new Label(labels.get(k), p[k]));
      }
      out.add(row);
    }
    return out;
  }
}
