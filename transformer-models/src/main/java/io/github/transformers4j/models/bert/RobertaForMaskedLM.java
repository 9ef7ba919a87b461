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
 * RoBERTa with its masked-language-model head: {@code logits = layer_norm(gelu(dense(h)))·Eᵀ +
 * bias}, the decoder tied to the word embeddings E (exact GELU whatever {@code hidden_act} says,
 * as Hugging Face's {@code RobertaLMHead}). Names {@code roberta.*} (no pooler), {@code
 * lm_head.dense}, {@code lm_head.layer_norm}, {@code lm_head.bias}; {@code lm_head.decoder.weight}
 * is the tied table and not read.
 */
public final class RobertaForMaskedLM extends EncoderWithHead implements MaskedLm {
  /** The Hugging Face class name, {@code architectures[0]} of its folders. */
  public static final String HF_NAME = "RobertaForMaskedLM";

  private final Linear dense;
  private final LayerNorm layerNorm;
  private final Parameter bias;

  /** A fresh model. */
  public RobertaForMaskedLM(Ops ops, BertConfig c) {
    super(ops, c, false, null);
    SplittableRandom rng = new SplittableRandom(c.seed() ^ 0x6d6c6dL);
    this.dense =
        child(
            "lm_head.dense",
            new Linear(
                ops, c.hiddenSize(), c.hiddenSize(), Linear.Layout.OUT_IN, true, rng,
                c.initializerRange()));
    this.layerNorm = child("lm_head.layer_norm", new LayerNorm(ops, c.hiddenSize(), c.layerNormEps()));
    this.bias = constant("lm_head.bias", 0f, c.vocabSize());
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
    Tensor x = layerNorm.forward(ops.activation(Activation.GELU, dense.forward(h)));
    return BertForMaskedLM.tiedDecoder(ops, encoder.wordEmbeddings(), x, bias.get());
  }

  /** The tied decoder (its bias is {@code lm_head.bias}) and a saved pooler are not used. */
  @Override
  protected boolean ignorable(String n) {
    return n.startsWith("lm_head.decoder.") || n.startsWith("roberta.pooler.");
  }
}
