package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.api.spi.TokenSpans;
import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * {@link TextTokenizer#encodeSpans}: per token the char span, special flag and word id, as Hugging
 * Face's {@code offset_mapping}, {@code special_tokens_mask} and {@code word_ids()} (transformers
 * 5.18, {@code expected_spans.json} from {@code bench/tokenizer_family_references.py}) for BERT's
 * WordPiece and GPT-2's byte-level BPE. RoBERTa, T5 and Pegasus spans are checked in {@link
 * FamilyTokenizersTest}.
 */
class TokenSpansTest {

  static JsonObject spans(String file, String key) throws IOException {
    return JsonParser.parseString(
            Files.readString(Fixtures.tokenizers(file), StandardCharsets.UTF_8))
        .getAsJsonObject()
        .getAsJsonObject(key);
  }

  @Test
  void bertWordPiece() throws IOException {
    TextTokenizer t = TokenizerFiles.load(Fixtures.tokenizers("bert-base-uncased/vocab.txt"));
    JsonObject ref = spans("bert-base-uncased/expected_spans.json", "bert");
    assertEquals(19, FamilyTokenizersTest.check(t, ref.getAsJsonArray("cases"), "bert"));
    // Word pieces of one word share its word id; [CLS] and [SEP] are special with (0, 0).
    TokenSpans s = t.encodeSpans("unbelievably fine");
    int[] words = s.wordIds();
    assertTrue(s.special()[0] && s.special()[s.size() - 1]);
    assertEquals(-1, words[0]);
    assertEquals(0, words[1]);
    assertEquals(0, words[2], "the second piece of 'unbelievably' belongs to word 0: " + s);
    assertEquals(1, words[s.size() - 2]);
  }

  @Test
  void gpt2ByteLevelBpe() throws IOException {
    TextTokenizer t = TokenizerFiles.load(Fixtures.tokenizers("gpt2/encoder.json"));
    JsonObject ref = spans("gpt2/expected_spans.json", "gpt2");
    assertEquals(19, FamilyTokenizersTest.check(t, ref.getAsJsonArray("cases"), "gpt2"));
    // One emoji is 4 bytes, so several tokens: each spans both UTF-16 halves of the emoji.
    String text = "a 🙂";
    TokenSpans s = t.encodeSpans(text);
    assertFalse(s.special()[0]);
    assertEquals(text.length(), s.ends()[s.size() - 1]);
  }

  @Test
  void spansRejectArraysOfDifferentLengths() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TokenSpans(new int[2], new int[2], new int[1], new boolean[2], new int[2]));
    assertTrue(e.getMessage().contains("differ in length"), e.getMessage());
    TokenSpans s =
        new TokenSpans(new int[] {5}, new int[] {1}, new int[] {3}, new boolean[1], new int[] {0});
    int[] ids = s.ids();
    ids[0] = 9;
    assertArrayEquals(new int[] {5}, s.ids(), "the record hands out copies");
  }
}
