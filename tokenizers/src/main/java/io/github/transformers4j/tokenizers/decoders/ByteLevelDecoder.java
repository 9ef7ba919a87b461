package io.github.transformers4j.tokenizers.decoders;

import io.github.transformers4j.tokenizers.ByteLevelAlphabet;
import io.github.transformers4j.tokenizers.Decoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Byte-level tokens back to text: each char stands for a byte, the bytes are UTF-8 (invalid
 * sequences become U+FFFD). A token with a char outside the alphabet (an added token) is taken as
 * its own UTF-8 bytes, as Hugging Face does.
 */
public final class ByteLevelDecoder implements Decoder {

  @Override
  public List<String> decodeChain(List<String> tokens) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String t : tokens) {
      boolean all = true;
      for (int i = 0; i < t.length() && all; i++) {
        all = ByteLevelAlphabet.byteOf(t.charAt(i)) >= 0;
      }
      if (all) {
        for (int i = 0; i < t.length(); i++) {
          out.write(ByteLevelAlphabet.byteOf(t.charAt(i)));
        }
      } else {
        out.writeBytes(ByteLevelAlphabet.utf8(t));
      }
    }
    return List.of(new String(out.toByteArray(), StandardCharsets.UTF_8));
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("ByteLevel", "add_prefix_space", true, "trim_offsets", true, "use_regex", true);
  }
}
