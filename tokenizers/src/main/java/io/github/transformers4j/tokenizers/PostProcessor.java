package io.github.transformers4j.tokenizers;

import java.util.Map;

/**
 * The fourth pipeline step: adds special tokens around one sequence or a pair ({@code [CLS] A
 * [SEP] B [SEP]}, {@code <s> A </s>}), sets type ids, and may adjust offsets.
 */
public interface PostProcessor {

  /** How many tokens {@link #process} adds for a single sequence or a pair (for truncation). */
  int addedTokens(boolean pair);

  /**
   * Joins {@code first} and {@code second} (null for a single sequence), adding special tokens
   * when {@code addSpecialTokens}.
   */
  Encoding process(Encoding first, Encoding second, boolean addSpecialTokens);

  /** This step as a Hugging Face {@code tokenizer.json} object (its {@code "type"} first). */
  Map<String, Object> toJson();
}
