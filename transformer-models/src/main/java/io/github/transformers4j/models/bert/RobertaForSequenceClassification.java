package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A RoBERTa or ELECTRA encoder with its sequence-classification head (Hugging Face's {@code
 * RobertaForSequenceClassification} and {@code ElectraForSequenceClassification}, the same but for
 * the activation: tanh and GELU). Names {@code roberta.*} / {@code electra.*} (no pooler), {@code
 * classifier.dense}, {@code classifier.out_proj}.
 */
public final class RobertaForSequenceClassification extends EncoderWithHead
    implements SequenceClassifier {
  /** The Hugging Face class names this class implements, by model type. */
  public static final List<String> HF_NAMES =
      List.of("RobertaForSequenceClassification", "ElectraForSequenceClassification");

  private final FirstTokenClassificationHead classifier;

  /** A fresh model, labels {@code LABEL_i}. */
  public RobertaForSequenceClassification(Ops ops, BertConfig c) {
    this(ops, c, null);
  }

  /**
   * A fresh model with class names {@code labels} (one per {@code num_labels}).
   *
   * @throws IllegalArgumentException for a BERT configuration (BERT classifies from its pooler:
   *     {@link BertForSequenceClassification})
   */
  public RobertaForSequenceClassification(Ops ops, BertConfig c, List<String> labels) {
    super(ops, c, false, labels);
    Activation act =
        switch (c.modelType()) {
          case "roberta" -> Activation.TANH;
          case "electra" -> Activation.GELU;
          default ->
              throw new IllegalArgumentException(
                  "model_type '" + c.modelType() + "' classifies from its pooler: use "
                      + BertForSequenceClassification.HF_NAME);
        };
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x736571L);
    this.classifier = child("classifier", new FirstTokenClassificationHead(ops, c, act, rng));
  }

  /** Class logits (B, num_labels). */
  @Override
  public Tensor logits(int[] ids, int[] attentionMask, int batch) {
    return classifier.forward(encoder.hidden(ids, null, attentionMask, batch));
  }

  /** A checkpoint saved from a model with the pooler carries it unused. */
  @Override
  protected boolean ignorable(String n) {
    return n.startsWith(config().modelType() + ".pooler.");
  }
}
