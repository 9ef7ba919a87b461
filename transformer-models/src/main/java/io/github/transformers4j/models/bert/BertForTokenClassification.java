package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.tasks.TokenClassifier;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A BERT-family encoder with a token-classification head (named-entity recognition): {@code
 * classifier(dropout(h_t))} for every position → (B, T, num_labels). The head is the same in
 * Hugging Face's {@code BertForTokenClassification}, {@code RobertaForTokenClassification} and
 * {@code ElectraForTokenClassification}, so this class is all three: names {@code bert.*}, {@code
 * roberta.*} or {@code electra.*} (no pooler) by the configuration's model type, and {@code
 * classifier}.
 */
public final class BertForTokenClassification extends EncoderWithHead implements TokenClassifier {
  /** The Hugging Face class names this class implements, by model type. */
  public static final List<String> HF_NAMES =
      List.of(
          "BertForTokenClassification", "RobertaForTokenClassification",
          "ElectraForTokenClassification");

  private final Dropout dropout;
  private final Linear classifier;

  /** A fresh model, labels {@code LABEL_i}. */
  public BertForTokenClassification(Ops ops, BertConfig c) {
    this(ops, c, null);
  }

  /** A fresh model with class names {@code labels} (one per {@code num_labels}). */
  public BertForTokenClassification(Ops ops, BertConfig c, List<String> labels) {
    super(ops, c, false, labels);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x746f6bL);
    this.dropout = child("dropout", new Dropout(ops, c.hiddenDropoutProb()));
    this.classifier =
        child(
            "classifier",
            new Linear(ops, c.hiddenSize(), c.numLabels(), Linear.Layout.OUT_IN, true, rng, c.initializerRange()));
  }

  /** Per-token class logits (B, T, num_labels). */
  public Tensor logits(int[] ids, int[] tokenTypes, int[] attentionMask, int batch) {
    return classifier.forward(dropout.forward(encoder.hidden(ids, tokenTypes, attentionMask, batch)));
  }

  @Override
  public Tensor logits(int[] ids, int[] attentionMask, int batch) {
    return logits(ids, null, attentionMask, batch);
  }

  /** A checkpoint saved from a model with the pooler carries it unused. */
  @Override
  protected boolean ignorable(String n) {
    return n.startsWith(config().modelType() + ".pooler.");
  }
}
