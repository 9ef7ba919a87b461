package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Small {@code tokenizer.json} pipelines against Hugging Face tokenizers 0.23
 * ({@code testdata/tokenizers/hf-pipelines/make_expected.py} wrote {@code expected.json}): WordPiece
 * with the BERT normalizer, processor and decoder under each truncation strategy, direction,
 * stride and padding; NFD/StripAccents/Strip normalizers with punctuation and digit splitting;
 * BPE with an end-of-word suffix (BPE decoder, RoBERTa processor trimming offsets), with a
 * continuing-subword prefix and fused unknowns (template processor); byte-level BPE with the
 * ByteLevel processor trimming offsets; Llama-style byte fallback (Prepend and Replace normalizers,
 * Replace, ByteFallback, Fuse and Strip decoders); Unigram with a Metaspace that prepends to the
 * first word only. Per text and pair: ids, tokens, offsets, type ids, attention and special-tokens
 * masks, both decodings; a case Hugging Face refuses is refused. Each case also goes through
 * {@link HfTokenizerJson#toJson} and back.
 */
class HfPipelinesTest {

  static JsonArray cases() throws IOException {
    return JsonParser.parseString(
            Files.readString(
                Fixtures.tokenizers("hf-pipelines/expected.json"), StandardCharsets.UTF_8))
        .getAsJsonObject()
        .getAsJsonArray("cases");
  }

  static int[] ints(JsonElement e) {
    JsonArray a = e.getAsJsonArray();
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsInt();
    }
    return out;
  }

  static String[] strings(JsonElement e) {
    JsonArray a = e.getAsJsonArray();
    String[] out = new String[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsString();
    }
    return out;
  }

  static Encoding encode(Tokenizer tok, String text, String pair) {
    if (pair != null) {
      return tok.encode(text, pair, true);
    }
    // A batch of one: padding to the longest (and to a multiple) applies as to a single encode.
    return tok.encodeBatch(List.of(text)).get(0);
  }

  static int check(Tokenizer tok, JsonObject c, String name) {
    int n = 0;
    for (JsonElement re : c.getAsJsonArray("results")) {
      JsonObject r = re.getAsJsonObject();
      String text = r.get("text").getAsString();
      String pair = r.get("pair").isJsonNull() ? null : r.get("pair").getAsString();
      String where = name + ", '" + text + "'" + (pair == null ? "" : " + '" + pair + "'");
      if (r.has("error")) {
        assertThrows(IllegalArgumentException.class, () -> encode(tok, text, pair), where);
        n++;
        continue;
      }
      Encoding e = encode(tok, text, pair);
      assertArrayEquals(strings(r.get("tokens")), e.tokens(), where + ": tokens");
      assertArrayEquals(ints(r.get("ids")), e.ids(), where + ": ids");
      JsonArray offsets = r.getAsJsonArray("offsets");
      int[] starts = new int[offsets.size()];
      int[] ends = new int[offsets.size()];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = offsets.get(i).getAsJsonArray().get(0).getAsInt();
        ends[i] = offsets.get(i).getAsJsonArray().get(1).getAsInt();
      }
      assertArrayEquals(starts, e.starts(), where + ": offset starts");
      assertArrayEquals(ends, e.ends(), where + ": offset ends");
      assertArrayEquals(ints(r.get("type_ids")), e.typeIds(), where + ": type ids");
      assertArrayEquals(ints(r.get("attention_mask")), e.attentionMask(), where + ": attention mask");
      assertArrayEquals(
          ints(r.get("special_tokens_mask")), e.specialTokensMask(), where + ": special tokens mask");
      assertEquals(r.get("decoded").getAsString(), tok.decode(e.ids(), false), where + ": decoded");
      assertEquals(
          r.get("decoded_skip").getAsString(), tok.decode(e.ids(), true), where + ": decoded, skip");
      n++;
    }
    return n;
  }

  @Test
  void everyPipelineEncodesAndDecodesAsHuggingFace() throws IOException {
    int checked = 0;
    for (JsonElement ce : cases()) {
      JsonObject c = ce.getAsJsonObject();
      String name = c.get("name").getAsString();
      Tokenizer tok = HfTokenizerJson.parse(c.get("tokenizer").toString(), name + ".json");
      assertEquals(c.get("vocab_size").getAsInt(), tok.vocabularySize(), name + ": added tokens count");
      checked += check(tok, c, name);
      // What this library writes loads back to a tokenizer that gives the same.
      Tokenizer again = HfTokenizerJson.parse(HfTokenizerJson.toJson(tok), name + " (saved)");
      checked += check(again, c, name + " (saved)");
    }
    assertEquals(2 * 10 * 11, checked);
  }
}
