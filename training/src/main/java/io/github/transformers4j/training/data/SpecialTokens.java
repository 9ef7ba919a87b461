package io.github.transformers4j.training.data;

/**
 * The ids of the special tokens an objective needs; -1 where a tokenizer has none.
 *
 * @param pad padding (ignored in losses, never masked)
 * @param bos start of sequence / {@code [CLS]} / the decoder start token
 * @param eos end of sequence / {@code [SEP]}
 * @param mask the MLM {@code [MASK]}
 * @param unk unknown
 */
public record SpecialTokens(int pad, int bos, int eos, int mask, int unk) {
  /** No special tokens. */
  public static final SpecialTokens NONE = new SpecialTokens(-1, -1, -1, -1, -1);

  /** Whether {@code id} is one of these specials. */
  public boolean isSpecial(int id) {
    return id >= 0 && (id == pad || id == bos || id == eos || id == mask || id == unk);
  }
}
