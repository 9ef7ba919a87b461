package io.github.transformers4j.tokenizers;

/**
 * A token matched in the text before the model runs, never split: special tokens such as {@code
 * [CLS]} or {@code <|endoftext|>}, and added vocabulary.
 *
 * @param id its id
 * @param content the text it matches
 * @param special whether it is a special token ({@code decode} can skip it)
 * @param normalized whether it is matched in the normalized text (else in the original)
 * @param lstrip whether it also takes the whitespace on its left
 * @param rstrip whether it also takes the whitespace on its right
 * @param singleWord whether it only matches as a whole word
 */
public record AddedToken(
    int id,
    String content,
    boolean special,
    boolean normalized,
    boolean lstrip,
    boolean rstrip,
    boolean singleWord) {

  /** Validates the token. */
  public AddedToken {
    if (content == null || content.isEmpty()) {
      throw new IllegalArgumentException("added token " + id + " has empty content");
    }
    if (id < 0 || id >= TokenModel.MAX_ID) {
      throw new IllegalArgumentException(
          "added token '" + (content.length() <= 100 ? content : content.substring(0, 99) + "\u2026")
              + "' has id " + id + ", outside [0, " + TokenModel.MAX_ID + ")");
    }
  }

  /** A special token matched in the original text, as Hugging Face adds {@code [CLS]}. */
  public static AddedToken special(int id, String content) {
    return new AddedToken(id, content, true, false, false, false, false);
  }
}
