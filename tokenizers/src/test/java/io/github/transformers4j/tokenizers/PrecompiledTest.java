package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.tokenizers.normalizers.Precompiled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The {@link Precompiled} normalizer with T5's SentencePiece charsmap (from {@code
 * t5/saved/tokenizer.json}) against Hugging Face tokenizers 0.23 ({@code
 * testdata/tokenizers/precompiled/make_expected.py}): ligatures, circled and full-width forms,
 * half-width katakana, squared words, combining marks, odd spaces, and 1,500 random strings. (Not
 * a half-width katakana followed by its half-width sound mark: Hugging Face maps that 6-byte
 * grapheme char by char, SentencePiece and this class by the longest match.)
 */
class PrecompiledTest {
  static JsonObject read(String file) throws IOException {
    return JsonParser.parseString(Files.readString(Fixtures.tokenizers(file), StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  @Test
  void normalizesAsHuggingFace() throws IOException {
    String map =
        read("t5/saved/tokenizer.json")
            .getAsJsonObject("normalizer")
            .get("precompiled_charsmap")
            .getAsString();
    Precompiled p = new Precompiled(Base64.getDecoder().decode(map));
    int changed = 0;
    int n = 0;
    for (JsonElement e : read("precompiled/expected.json").getAsJsonArray("cases")) {
      String text = e.getAsJsonArray().get(0).getAsString();
      String want = e.getAsJsonArray().get(1).getAsString();
      NormalizedString got = p.normalize(NormalizedString.of(text));
      assertEquals(want, got.text(), "case " + n + ": '" + text + "'");
      // Every char of the result maps back into the original text.
      for (int i = 0; i < got.length(); i++) {
        assertTrue(
            got.originalStart(i) >= 0 && got.originalEnd(i) <= text.length(),
            "case " + n + " char " + i);
      }
      changed += want.equals(text) ? 0 : 1;
      n++;
    }
    assertTrue(changed > 100, "only " + changed + " of " + n + " texts change");
  }
}
