package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.Parameter;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.tasks.MaskedLm;
import java.util.SplittableRandom;

/**
 * BERT with the masked-language-model head: {@code logits = LN(act(dense(h)))·Eᵀ + bias}, the
 * decoder tied to the word embeddings E. Names {@code bert.*}, {@code
 * cls.predictions.transform.dense}, {@code cls.predictions.transform.LayerNorm}, {@code
 * cls.predictions.bias}.
 */
public final class BertForMaskedLM extends EncoderWithHead implements MaskedLm {
  /** The Hugging Face class name, {@code architectures[0]} of its folders. */
  public static final String HF_NAME = "BertForMaskedLM";

  private final Linear transform;
  private final LayerNorm transformNorm;
  private final Parameter bias;

  /** A fresh model (no pooler, as Hugging Face's). */
  public BertForMaskedLM(Ops ops, BertConfig c) {
    super(ops, c, false, null);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x6d6c6dL);
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
    encoder.wordEmbeddings().quantizeAsOutputProjection(precision);
  }

  /** The encoder. */
  public BertModel bert() {
    return encoder;
  }

  /** Vocabulary logits (B, T, V) for every position. */
  public Tensor logits(int[] ids, int[] tokenTypes, int[] attentionMask, int batch) {
    Tensor h = encoder.hidden(ids, tokenTypes, attentionMask, batch);
    Tensor x =
        transformNorm.forward(ops.activation(encoder.config().hiddenAct(), transform.forward(h)));
    return tiedDecoder(ops, encoder.wordEmbeddings(), x, bias.get());
  }

  @Override
  public Tensor logits(int[] ids, int[] attentionMask, int batch) {
    return logits(ids, null, attentionMask, batch);
  }

  /** {@code x·Eᵀ + bias}: (B, T, E) → (B, T, V) by the token table, whatever its precision. */
  static Tensor tiedDecoder(Ops ops, Embedding words, Tensor x, Tensor bias) {
    if (words.quantized() != null) {
      return ops.linear(x, words.quantized(), bias);
    }
    return ops.add(ops.matmul(x, words.weight(), false, true), bias);
  }

  /** The tied decoder, the pooler and the next-sentence head are not used. */
  @Override
  protected boolean ignorable(String n) {
    return n.startsWith("cls.predictions.decoder.")
        || n.startsWith("bert.pooler.")
        || n.startsWith("cls.seq_relationship.");
  }
}
