package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.Weights;
import java.util.SplittableRandom;

/**
 * BERT with a sequence-classification head: {@code classifier(dropout(pooled))} → (B, num_labels).
 * Names {@code bert.*} (with pooler) and {@code classifier}.
 */
public final class BertForSequenceClassification extends AbstractModule implements Model {
  private final BertModel bert;
  private final Dropout dropout;
  private final Linear classifier;

  /** A fresh model. */
  public BertForSequenceClassification(Ops ops, BertConfig c) {
    super(ops);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x736571L);
    this.bert = child("bert", new BertModel(ops, c, true));
    this.dropout = child("dropout", new Dropout(ops, c.hiddenDropoutProb()));
    this.classifier =
        child(
            "classifier",
            new Linear(ops, c.hiddenSize(), c.numLabels(), Linear.Layout.OUT_IN, true, rng, c.initializerRange()));
  }

  @Override
  public String architecture() {
    return BertModel.ARCHITECTURE;
  }

  /** Class logits (B, num_labels). */
  public Tensor logits(int[] ids, int[] tokenTypes, int[] attentionMask, int batch) {
    Tensor h = bert.hidden(ids, tokenTypes, attentionMask, batch);
    return classifier.forward(dropout.forward(bert.pooled(h)));
  }

  /** Loads a Hugging Face {@code BertForSequenceClassification} checkpoint. */
  public void load(Weights weights) {
    WeightLoader.load(ops, this, weights, "", n -> n.endsWith("position_ids"));
  }
}
