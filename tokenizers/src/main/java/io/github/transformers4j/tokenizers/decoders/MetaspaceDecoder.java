package io.github.transformers4j.tokenizers.decoders;

import io.github.transformers4j.tokenizers.Decoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Metaspace tokens back to text: {@code ▁} becomes a space, and the space the encoder prepended to
 * the first token is removed.
 *
 * @param replacement the char that stands for a space
 * @param prependScheme "always", "first" or "never"
 * @param split kept for {@code tokenizer.json}
 */
public record MetaspaceDecoder(char replacement, String prependScheme, boolean split)
    implements Decoder {

  @Override
  public List<String> decodeChain(List<String> tokens) {
    List<String> out = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i).replace(replacement, ' ');
      if (i == 0 && !prependScheme.equals("never") && t.startsWith(" ")) {
        t = t.substring(1);
      }
      out.add(t);
    }
    return out;
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type(
        "Metaspace",
        "replacement", String.valueOf(replacement),
        "prepend_scheme", prependScheme,
        "split", split);
  }
}
