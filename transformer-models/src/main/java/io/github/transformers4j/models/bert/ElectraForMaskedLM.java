package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.Parameter;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.tasks.MaskedLm;
import java.util.SplittableRandom;

/**
 * The ELECTRA generator, a masked language model: {@code logits =
 * LayerNorm(gelu(dense(h)))·Eᵀ + bias}, where {@code dense} maps the hidden width C back to the
 * embedding width E and the decoder is tied to the word embeddings (V, E). Names {@code electra.*},
 * {@code generator_predictions.dense}, {@code generator_predictions.LayerNorm}, {@code
 * generator_lm_head.bias}; {@code generator_lm_head.weight} is the tied table and not read.
 */
public final class ElectraForMaskedLM extends EncoderWithHead implements MaskedLm {
  /** The Hugging Face class name, {@code architectures[0]} of its folders. */
  public static final String HF_NAME = "ElectraForMaskedLM";

  private final Linear dense;
  private final LayerNorm layerNorm;
  private final Parameter bias;

  /** A fresh model. */
  public ElectraForMaskedLM(Ops ops, BertConfig c) {
    super(ops, c, false, null);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x67656eL);
    this.dense =
        child(
            "generator_predictions.dense",
            new Linear(
                ops, c.hiddenSize(), c.embeddingSize(), Linear.Layout.OUT_IN, true, rng,
                c.initializerRange()));
    this.layerNorm =
        child("generator_predictions.LayerNorm", new LayerNorm(ops, c.embeddingSize(), c.layerNormEps()));
    this.bias = constant("generator_lm_head.bias", 0f, c.vocabSize());
  }

  /** The word table is the tied decoder weight: quantized with the encoder's weights. */
  @Override
  protected void quantizeOwn(WeightPrecision precision) {
    encoder.wordEmbeddings().quantizeAsOutputProjection(precision);
  }

  /** Vocabulary logits (B, T, V) for every position. */
  @Override
  public Tensor logits(int[] ids, int[] attentionMask, int batch) {
    Tensor h = encoder.hidden(ids, null, attentionMask, batch);
    Tensor x = layerNorm.forward(ops.activation(Activation.GELU, dense.forward(h))); // (B, T, E)
    return BertForMaskedLM.tiedDecoder(ops, encoder.wordEmbeddings(), x, bias.get());
  }

  @Override
  protected boolean ignorable(String n) {
    return n.startsWith("generator_lm_head.weight");
  }
}
