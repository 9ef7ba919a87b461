package io.github.transformers4j.training.models;

import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.training.objectives.Seq2SeqModel;

/**
 * An encoder-decoder the seq2seq recipe trains and then decodes, whatever its architecture (the
 * transformer, or the recurrent baseline with attention): the trainer's view ({@link
 * Seq2SeqModel}) and the generator's ({@link #session}) of one model.
 */
public interface DecodableSeq2Seq extends Seq2SeqModel {

  /**
   * A decoding session over an encoded source batch.
   *
   * @param source (B·S) row-major source ids, right-padded
   * @param sourceMask (B·S) 1 for a token, 0 for padding, or null
   */
  DecodingSession session(int[] source, int batch, int[] sourceMask);

  /** The model as a module tree (dropout switch, quantization, weight bytes). */
  AbstractModule module();
}
