package io.github.transformers4j.tokenizers.decoders;

import io.github.transformers4j.tokenizers.Decoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * BPE tokens with an end-of-word suffix back to text: the suffix becomes a space (none after the
 * last token).
 *
 * @param suffix the end-of-word suffix ({@code </w>})
 */
public record BpeDecoder(String suffix) implements Decoder {

  @Override
  public List<String> decodeChain(List<String> tokens) {
    List<String> out = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
    }
    return out;
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("BPEDecoder", "suffix", suffix);
  }
}
