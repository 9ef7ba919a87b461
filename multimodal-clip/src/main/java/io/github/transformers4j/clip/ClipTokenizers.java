package io.github.transformers4j.clip;

import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.data.TextTokenizer;

/**
 * A tokenizer of the library's tokenizer SPI (such as the {@code tokenizers} module's CLIP BPE,
 * found through {@code Tokenizers.installed()}) as the {@link TextTokenizer} that {@link
 * ClipTextInputs} pads: CLIP's {@code <|startoftext|>} is the start id, {@code <|endoftext|>} the
 * end, pad and unknown id, as in Hugging Face's {@code CLIPTokenizer}.
 */
public final class ClipTokenizers {
  private ClipTokenizers() {}

  /**
   * {@code tok} with CLIP's special tokens.
   *
   * @throws IllegalArgumentException when {@code tok} has no {@code <|endoftext|>}
   */
  public static TextTokenizer adapt(io.github.transformers4j.api.spi.TextTokenizer tok) {
    int sot = tok.tokenId("<|startoftext|>");
    int eot = tok.tokenId("<|endoftext|>");
    if (eot < 0) {
      throw new IllegalArgumentException(
          "the tokenizer has no <|endoftext|> token, which CLIP's text tower pools at");
    }
    SpecialTokens specials = new SpecialTokens(eot, sot, eot, -1, eot);
    return new TextTokenizer() {
      @Override
      public int[] encode(String text) {
        return tok.encodeIds(text);
      }

      @Override
      public String decode(int[] ids) {
        return tok.decodeIds(ids, true);
      }

      @Override
      public int vocabSize() {
        return tok.vocabularySize();
      }

      @Override
      public SpecialTokens specials() {
        return specials;
      }
    };
  }
}
