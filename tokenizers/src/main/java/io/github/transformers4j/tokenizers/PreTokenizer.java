package io.github.transformers4j.tokenizers;

import java.util.List;
import java.util.Map;

/**
 * The second pipeline step: splits normalized text into the pieces ("words") the model encodes one
 * by one, keeping their original ranges; it may also rewrite them (byte-level mapping, metaspace).
 */
public interface PreTokenizer {

  /** Appends the pieces of {@code input} to {@code out}, in order. */
  void split(NormalizedString input, List<NormalizedString> out);

  /** This step as a Hugging Face {@code tokenizer.json} object (its {@code "type"} first). */
  Map<String, Object> toJson();
}
