package io.github.transformers4j.tokenizers.decoders;

import io.github.transformers4j.tokenizers.Decoder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs of {@code <0xXX>} byte tokens back to text: valid UTF-8 becomes its chars, an invalid run
 * one U+FFFD per byte, as Hugging Face does.
 */
public final class ByteFallbackDecoder implements Decoder {

  @Override
  public List<String> decodeChain(List<String> tokens) {
    List<String> out = new ArrayList<>();
    ByteArrayOutputStream run = new ByteArrayOutputStream();
    int runTokens = 0;
    for (String t : tokens) {
      int b = byteOf(t);
      if (b >= 0) {
        run.write(b);
        runTokens++;
        continue;
      }
      flush(run, runTokens, out);
      runTokens = 0;
      out.add(t);
    }
    flush(run, runTokens, out);
    return out;
  }

  private static void flush(ByteArrayOutputStream run, int n, List<String> out) {
    if (n == 0) {
      return;
    }
    try {
      out.add(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(run.toByteArray()))
              .toString());
    } catch (CharacterCodingException e) {
      for (int i = 0; i < n; i++) {
        out.add("\uFFFD");
      }
    }
    run.reset();
  }

  private static int byteOf(String t) {
    if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
      try {
        return Integer.parseInt(t.substring(3, 5), 16);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type("ByteFallback");
  }
}
