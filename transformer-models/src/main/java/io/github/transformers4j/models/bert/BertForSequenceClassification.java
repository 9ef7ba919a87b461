package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import java.util.List;
import java.util.SplittableRandom;

/**
 * BERT with a sequence-classification head: {@code classifier(dropout(pooled))} → (B, num_labels).
 * Names {@code bert.*} (with pooler) and {@code classifier}.
 */
public final class BertForSequenceClassification extends EncoderWithHead
    implements SequenceClassifier {
  /** The Hugging Face class name, {@code architectures[0]} of its folders. */
  public static final String HF_NAME = "BertForSequenceClassification";

  private final Dropout dropout;
  private final Linear classifier;

  /** A fresh model, labels {@code LABEL_i}. */
  public BertForSequenceClassification(Ops ops, BertConfig c) {
    this(ops, c, null);
  }

  /** A fresh model with class names {@code labels} (one per {@code num_labels}). */
  public BertForSequenceClassification(Ops ops, BertConfig c, List<String> labels) {
    super(ops, c, true, labels);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x736571L);
    this.dropout = child("dropout", new Dropout(ops, c.hiddenDropoutProb()));
    this.classifier =
        child(
            "classifier",
            new Linear(ops, c.hiddenSize(), c.numLabels(), Linear.Layout.OUT_IN, true, rng, c.initializerRange()));
  }

  /** Class logits (B, num_labels). */
  public Tensor logits(int[] ids, int[] tokenTypes, int[] attentionMask, int batch) {
    Tensor h = encoder.hidden(ids, tokenTypes, attentionMask, batch);
    return classifier.forward(dropout.forward(encoder.pooled(h)));
  }

  @Override
  public Tensor logits(int[] ids, int[] attentionMask, int batch) {
    return logits(ids, null, attentionMask, batch);
  }
}
