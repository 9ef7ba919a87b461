package io.github.transformers4j.training.models;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.rnn.RecurrentSeq2Seq;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.optim.ParameterSet;

/**
 * A {@link RecurrentSeq2Seq} as a {@link io.github.transformers4j.training.objectives.Seq2SeqModel}:
 * the source encoded with its lengths, the decoder run over the teacher-forced input from the
 * encoder's final states (padded decoder positions follow the last real one, which the loss
 * ignores, and cannot reach earlier ones), dropout on in training passes with the pass seed.
 */
public final class RecurrentSeq2SeqLm implements DecodableSeq2Seq {
  private final RecurrentSeq2Seq model;
  private final ParameterSet params;

  /** The adapter over {@code model}. */
  public RecurrentSeq2SeqLm(RecurrentSeq2Seq model) {
    this.model = model;
    this.params = ModuleParameters.of(model);
  }

  /** The wrapped model. */
  public RecurrentSeq2Seq model() {
    return model;
  }

  @Override
  public ParameterSet parameterSet() {
    return params;
  }

  @Override
  public Tensor forward(
      Ops ops, Tensor src, Tensor srcMask, Tensor decoderInput, Tensor decoderMask, Forward pass) {
    model.train(pass.training(), pass.seed());
    return model.logits(
        src.toIntArray(), srcMask == null ? null : srcMask.toIntArray(), decoderInput); // (B, T, V)
  }

  @Override
  public DecodingSession session(int[] source, int batch, int[] sourceMask) {
    return model.session(source, batch, sourceMask);
  }

  @Override
  public AbstractModule module() {
    return model;
  }
}
