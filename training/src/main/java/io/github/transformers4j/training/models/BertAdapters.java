package io.github.transformers4j.training.models;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.models.bert.BertForMaskedLM;
import io.github.transformers4j.models.bert.BertForSequenceClassification;
import io.github.transformers4j.models.bert.BertForTokenClassification;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.SequenceModel;
import io.github.transformers4j.training.objectives.TokenModel;
import io.github.transformers4j.training.optim.ParameterSet;

/**
 * The BERT heads of {@code transformer-models} as trainable shapes: {@link #maskedLm} for the MLM
 * objective, {@link #classifier} for sequence classification, {@link #tagger} for token
 * classification. Segment ids are all 0 (single sentences); dropout follows the pass.
 */
public final class BertAdapters {
  private BertAdapters() {}

  /** A BERT head's logits from host ids, segment ids and attention mask. */
  @FunctionalInterface
  private interface Head {
    Tensor logits(int[] ids, int[] tokenTypes, int[] attentionMask, int batch);
  }

  private static Tensor run(Model model, Head head, Tensor ids, Tensor mask, Forward pass) {
    model.train(pass.training(), pass.seed());
    int b = ids.shape().dim(0);
    int[] host = ids.toIntArray();
    int[] keep = mask == null ? ones(host.length) : mask.toIntArray();
    return head.logits(host, new int[host.length], keep, b);
  }

  private static int[] ones(int n) {
    int[] a = new int[n];
    java.util.Arrays.fill(a, 1);
    return a;
  }

  /** BERT with its MLM head: (B, T) → (B, T, V). */
  public static TokenModel maskedLm(BertForMaskedLM model) {
    ParameterSet params = ModuleParameters.of(model);
    return new TokenModel() {
      @Override
      public ParameterSet parameterSet() {
        return params;
      }

      @Override
      public Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass) {
        return run(model, model::logits, ids, mask, pass);
      }
    };
  }

  /** BERT with a sequence classification head: (B, T) → (B, K). */
  public static SequenceModel classifier(BertForSequenceClassification model) {
    ParameterSet params = ModuleParameters.of(model);
    return new SequenceModel() {
      @Override
      public ParameterSet parameterSet() {
        return params;
      }

      @Override
      public Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass) {
        return run(model, model::logits, ids, mask, pass);
      }
    };
  }

  /** BERT with a token classification head: (B, T) → (B, T, K). */
  public static TokenModel tagger(BertForTokenClassification model) {
    ParameterSet params = ModuleParameters.of(model);
    return new TokenModel() {
      @Override
      public ParameterSet parameterSet() {
        return params;
      }

      @Override
      public Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass) {
        return run(model, model::logits, ids, mask, pass);
      }
    };
  }
}
