package io.github.transformers4j.tokenizers;

import java.util.List;
import java.util.Map;

/**
 * The last pipeline step, used by {@code decode}: turns tokens back into text (byte-level bytes to
 * UTF-8, {@code ##} continuations, metaspace to spaces).
 */
public interface Decoder {

  /** Rewrites the tokens; the decoded text is their concatenation. */
  List<String> decodeChain(List<String> tokens);

  /** The decoded text of {@code tokens}. */
  default String decode(List<String> tokens) {
    return String.join("", decodeChain(tokens));
  }

  /** This step as a Hugging Face {@code tokenizer.json} object (its {@code "type"} first). */
  Map<String, Object> toJson();
}
