package io.github.transformers4j.models.bert;

import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.Weights;
import java.util.SplittableRandom;

/**
 * BERT with the masked-language-model head: {@code logits = LN(act(dense(h)))·Eᵀ + bias}, the
 * decoder tied to the word embeddings E. Names {@code bert.*}, {@code
 * cls.predictions.transform.dense}, {@code cls.predictions.transform.LayerNorm}, {@code
 * cls.predictions.bias}.
 */
public final class BertForMaskedLM extends AbstractModule implements PretrainedModel {
  private final BertModel bert;
  private final Linear transform;
  private final LayerNorm transformNorm;
  private final Parameter bias;

  /** A fresh model (no pooler, as Hugging Face's). */
  public BertForMaskedLM(Ops ops, BertConfig c) {
    super(ops);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x6d6c6dL);
    this.bert = child("bert", new BertModel(ops, c, false));
    this.transform =
        child(
            "cls.predictions.transform.dense",
            new Linear(
                ops, c.hiddenSize(), c.hiddenSize(), Linear.Layout.OUT_IN, true, rng,
                c.initializerRange()));
    this.transformNorm =
        child("cls.predictions.transform.LayerNorm", new LayerNorm(ops, c.hiddenSize(), c.layerNormEps()));
    this.bias = constant("cls.predictions.bias", 0f, c.vocabSize());
  }

  /** The word table is the tied decoder weight: quantized with the encoder's weights. */
  @Override
  protected void quantizeOwn(WeightPrecision precision) {
    bert.wordEmbeddings().quantizeAsOutputProjection(precision);
  }

  @Override
  public String architecture() {
    return BertModel.ARCHITECTURE;
  }

  /** The encoder. */
  public BertModel bert() {
    return bert;
  }

  /** Vocabulary logits (B, T, V) for every position. */
  public Tensor logits(int[] ids, int[] tokenTypes, int[] attentionMask, int batch) {
    Tensor h = bert.hidden(ids, tokenTypes, attentionMask, batch);
    Tensor x =
        transformNorm.forward(ops.activation(bert.config().hiddenAct(), transform.forward(h)));
    Embedding words = bert.wordEmbeddings();
    if (words.quantized() != null) {
      return ops.linear(x, words.quantized(), bias.get());
    }
    return ops.add(ops.matmul(x, bert.wordTable(), false, true), bias.get());
  }

  /** Loads a Hugging Face {@code BertForMaskedLM} checkpoint (the tied decoder is skipped). */
  public void load(Weights weights) {
    WeightLoader.load(
        ops, this, weights, "",
        n -> n.endsWith("position_ids") || n.startsWith("cls.predictions.decoder.")
            || n.startsWith("bert.pooler.") || n.startsWith("cls.seq_relationship."));
  }
}
