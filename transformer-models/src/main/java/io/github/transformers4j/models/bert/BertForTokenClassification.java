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
 * BERT with a token-classification head (named-entity recognition): {@code
 * classifier(dropout(h_t))} for every position → (B, T, num_labels). Names {@code bert.*} (no
 * pooler) and {@code classifier}.
 */
public final class BertForTokenClassification extends AbstractModule implements Model {
  private final BertModel bert;
  private final Dropout dropout;
  private final Linear classifier;

  /** A fresh model. */
  public BertForTokenClassification(Ops ops, BertConfig c) {
    super(ops);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x746f6bL);
    this.bert = child("bert", new BertModel(ops, c, false));
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

  /** Per-token class logits (B, T, num_labels). */
  public Tensor logits(int[] ids, int[] tokenTypes, int[] attentionMask, int batch) {
    return classifier.forward(dropout.forward(bert.hidden(ids, tokenTypes, attentionMask, batch)));
  }

  /** Loads a Hugging Face {@code BertForTokenClassification} checkpoint. */
  public void load(Weights weights) {
    WeightLoader.load(
        ops, this, weights, "", n -> n.endsWith("position_ids") || n.startsWith("bert.pooler."));
  }
}
