package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;

/** An encoder-decoder: the decoder reads its input causally and attends to the encoded source. */
public interface Seq2SeqModel extends Trainable {

  /**
   * The decoder's logits under teacher forcing.
   *
   * @param src (B, S) I32 source ids
   * @param srcMask (B, S) I32 source padding mask, or null
   * @param decoderInput (B, T) I32 decoder input ids (start token, then the target shifted right)
   * @param decoderMask (B, T) I32 decoder padding mask, or null
   * @return (B, T, V) logits
   */
  Tensor forward(
      Ops ops, Tensor src, Tensor srcMask, Tensor decoderInput, Tensor decoderMask, Forward pass);
}
