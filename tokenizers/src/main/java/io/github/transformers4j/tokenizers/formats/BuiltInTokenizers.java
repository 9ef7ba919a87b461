package io.github.transformers4j.tokenizers.formats;

import io.github.transformers4j.tokenizers.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Vocabularies shipped inside this library, for model folders that come without tokenizer files.
 *
 * <p>CLIP: OpenAI's {@code bpe_simple_vocab_16e6.txt.gz} (MIT, {@code LICENSE.CLIP} beside it in
 * this package's resources), the vocabulary of every released CLIP model: 49,408 ids, {@code
 * <|startoftext|>} 49406 and {@code <|endoftext|>} 49407, texts of at most {@link
 * #CLIP_MAX_POSITIONS} positions. A CLIP trained from scratch keeps these ids, so its folder can
 * omit the tokenizer and still be read.
 */
public final class BuiltInTokenizers {
  /** The resource holding CLIP's merges, in this package. */
  public static final String CLIP_VOCABULARY = "bpe_simple_vocab_16e6.txt.gz";

  /** CLIP's context length: the text tower's {@code max_position_embeddings}. */
  public static final int CLIP_MAX_POSITIONS = 77;

  private BuiltInTokenizers() {}

  /**
   * A new CLIP tokenizer over the built-in vocabulary, as Hugging Face's {@code CLIPTokenizer}:
   * lower-cased, NFC, start and end ids added; it does not truncate (to {@link
   * #CLIP_MAX_POSITIONS}, keep the final end id, as the CLIP text inputs do).
   */
  public static Tokenizer clip() {
    try (InputStream in = BuiltInTokenizers.class.getResourceAsStream(CLIP_VOCABULARY)) {
      if (in == null) {
        throw new IllegalStateException(
            "the built-in CLIP vocabulary " + CLIP_VOCABULARY + " is missing from the tokenizers jar");
      }
      return TokenizerFiles.clip(in, "built-in " + CLIP_VOCABULARY);
    } catch (IOException e) {
      throw new UncheckedIOException("the built-in CLIP vocabulary cannot be read: " + e.getMessage(), e);
    }
  }
}
