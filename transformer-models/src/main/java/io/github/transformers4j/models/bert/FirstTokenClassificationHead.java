package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * RoBERTa's and ELECTRA's sequence-classification head, which replaces BERT's pooler: {@code
 * out_proj(dropout(act(dense(dropout(h[:, 0])))))} on the first token ({@code <s>} / {@code
 * [CLS]}); the activation is tanh in RoBERTa, GELU in ELECTRA. Names {@code dense}, {@code
 * out_proj}.
 */
final class FirstTokenClassificationHead extends AbstractModule {
  private final Linear dense;
  private final Linear outProj;
  private final Dropout dropout;
  private final Activation activation;

  FirstTokenClassificationHead(Ops ops, BertConfig c, Activation activation, SplittableRandom rng) {
    super(ops);
    int w = c.hiddenSize();
    this.dense = child("dense", new Linear(ops, w, w, Linear.Layout.OUT_IN, true, rng, c.initializerRange()));
    this.outProj =
        child(
            "out_proj",
            new Linear(ops, w, c.numLabels(), Linear.Layout.OUT_IN, true, rng, c.initializerRange()));
    this.dropout = child("dropout", new Dropout(ops, c.hiddenDropoutProb()));
    this.activation = activation;
  }

  /** Hidden states (B, T, C) → class logits (B, L). */
  Tensor forward(Tensor hidden) {
    Tensor x = dropout.forward(Pooling.cls(ops, hidden)); // (B, T, C) -> (B, C)
    x = dropout.forward(ops.activation(activation, dense.forward(x)));
    return outProj.forward(x);
  }
}
