package io.github.transformers4j.training.models;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.AttentionMasks;
import io.github.transformers4j.models.seq2seq.EncoderDecoderModel;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.training.optim.ParameterSet;

/**
 * The encoder-decoder Transformer of {@code transformer-models} as a {@link io.github.transformers4j.training.objectives.Seq2SeqModel}: the
 * source is encoded with its padding mask, the decoder reads the teacher-forced input at positions
 * 0..T−1 (causal self-attention, padded decoder keys and source keys masked), logits by the tied
 * head. Dropout follows the pass. Generation runs on the wrapped model's own {@code session}.
 */
public final class EncoderDecoderLm implements DecodableSeq2Seq {
  private final EncoderDecoderModel model;
  private final ParameterSet params;

  /** The adapter over {@code model}. */
  public EncoderDecoderLm(EncoderDecoderModel model) {
    this.model = model;
    this.params = ModuleParameters.of(model);
  }

  /** The wrapped model. */
  public EncoderDecoderModel model() {
    return model;
  }

  @Override
  public DecodingSession session(int[] source, int batch, int[] sourceMask) {
    return model.session(source, batch, sourceMask);
  }

  @Override
  public AbstractModule module() {
    return model;
  }

  @Override
  public ParameterSet parameterSet() {
    return params;
  }

  @Override
  public Tensor forward(
      Ops ops, Tensor src, Tensor srcMask, Tensor decoderInput, Tensor decoderMask, Forward pass) {
    int b = src.shape().dim(0);
    int s = src.shape().dim(1);
    int t = decoderInput.shape().dim(1);
    model.train(pass.training(), pass.seed());
    int[] srcKeep = srcMask == null ? null : srcMask.toIntArray();
    Tensor memory = model.encode(src.toIntArray(), b, srcKeep); // (B, S, C)
    Tensor selfMask =
        decoderMask == null ? null : AttentionMasks.padding(ops, decoderMask.toIntArray(), b, t);
    Tensor memoryMask = AttentionMasks.padding(ops, srcKeep, b, s);
    Tensor hidden =
        model.decode(decoderInput, ops.positions(b, t), selfMask, memory, memoryMask, null);
    return model.lmLogits(hidden); // (B, T, V), with final_logits_bias where the family has one
  }
}
