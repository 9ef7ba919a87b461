package io.github.transformers4j.tokenizers;

import java.util.Map;

/**
 * The first pipeline step: rewrites the text (Unicode normalization, lowercasing, accent
 * stripping...) while keeping each char's original range, so offsets survive it.
 */
public interface Normalizer {

  /** The normalized text; returns {@code input} itself when nothing changes. */
  NormalizedString normalize(NormalizedString input);

  /** This step as a Hugging Face {@code tokenizer.json} object (its {@code "type"} first). */
  Map<String, Object> toJson();
}
