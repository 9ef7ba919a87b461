package io.github.transformers4j.models.tasks;

import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.nn.PretrainedModel;

/**
 * An encoder-decoder language model (T5, BART, Pegasus, the original Transformer): the sources are
 * encoded once per session, and the generator decodes from {@link #decoderStartTokenId()}.
 */
public interface Seq2SeqLm extends PretrainedModel {

  /**
   * A decoding session over the encoded sources.
   *
   * @param source (B·S) row-major source ids, right-padded
   * @param batch B
   * @param sourceMask (B·S) 1 for a token, 0 for padding; null when nothing is padded
   */
  DecodingSession session(int[] source, int batch, int[] sourceMask);

  /**
   * Decoder logits (B, T, V) at every target position, for training and scoring (teacher forcing:
   * {@code target} starts with the decoder start token).
   *
   * @param source (B·S) row-major source ids, right-padded
   * @param sourceMask (B·S) 1 for a token, 0 for padding; null when nothing is padded
   * @param target (B·T) row-major decoder input ids, right-padded
   * @param targetMask (B·T) 1 for a token, 0 for padding; null when nothing is padded
   */
  Tensor logits(int[] source, int[] sourceMask, int[] target, int[] targetMask, int batch);

  /** The vocabulary size V of the logits. */
  int vocabSize();

  /** The first decoder token of every output ({@code decoder_start_token_id}). */
  int decoderStartTokenId();

  /** The most source tokens (Integer.MAX_VALUE when positions are relative, as T5's). */
  int maxSourcePositions();

  /** The most decoder positions, start token included (Integer.MAX_VALUE when relative). */
  int maxTargetPositions();
}
