package io.github.transformers4j.tokenizers.decoders;

import io.github.transformers4j.tokenizers.Decoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * WordPiece tokens back to text: continuation pieces lose their prefix and join the word before,
 * other tokens start with a space; {@code cleanup} removes the spaces BERT's tokenization put
 * before punctuation and contractions.
 *
 * @param prefix the continuing-subword prefix ({@code ##})
 * @param cleanup whether to clean up tokenization spaces
 */
public record WordPieceDecoder(String prefix, boolean cleanup) implements Decoder {

  @Override
  public List<String> decodeChain(List<String> tokens) {
    List<String> out = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (i > 0) {
        t = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
      }
      out.add(cleanup ? cleanup(t) : t);
    }
    return out;
  }

  /** Hugging Face's {@code cleanup}: drops the space before {@code . ? ! ,} and contractions. */
  public static String cleanup(String s) {
    return s.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" do not", " don't")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re");
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("WordPiece", "prefix", prefix, "cleanup", cleanup);
  }
}
