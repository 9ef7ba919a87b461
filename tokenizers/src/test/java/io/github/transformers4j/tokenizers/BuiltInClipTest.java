package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.tokenizers.formats.BuiltInTokenizers;
import io.github.transformers4j.tokenizers.formats.ModelFolderTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLIP vocabulary built into the library gives Hugging Face's {@code CLIPTokenizer} ids on the
 * CLIP fixture's texts, as the fixture's {@code tokenizer.json} does, and a CLIP folder without
 * tokenizer files (or with only HF's slow {@code vocab.json} + {@code merges.txt}) is read as CLIP.
 */
class BuiltInClipTest {
  @TempDir Path dir;

  static Path fixture() {
    return SharedData.require("models/hf-tiny/clip/config.json").getParent();
  }

  /** The fixture's texts and, for each, its ids without padding. */
  static Map<String, int[]> expected() throws IOException {
    JsonObject c =
        JsonParser.parseString(Files.readString(fixture().resolve("expected_outputs.json")))
            .getAsJsonObject().getAsJsonArray("cases").get(0).getAsJsonObject();
    Map<String, int[]> out = new java.util.LinkedHashMap<>();
    JsonArray texts = c.getAsJsonArray("texts");
    for (int i = 0; i < texts.size(); i++) {
      JsonArray ids = c.getAsJsonArray("input_ids").get(i).getAsJsonArray();
      JsonArray mask = c.getAsJsonArray("attention_mask").get(i).getAsJsonArray();
      List<Integer> row = new ArrayList<>();
      for (int t = 0; t < ids.size(); t++) {
        if (mask.get(t).getAsInt() == 1) {
          row.add(ids.get(t).getAsInt());
        }
      }
      out.put(texts.get(i).getAsString(), row.stream().mapToInt(Integer::intValue).toArray());
    }
    return out;
  }

  static void check(String what, Tokenizer tok) throws IOException {
    for (Map.Entry<String, int[]> e : expected().entrySet()) {
      assertArrayEquals(e.getValue(), tok.encodeIds(e.getKey()), what + ": " + e.getKey());
    }
    assertEquals(49408, tok.vocabularySize(), what);
  }

  @Test
  void builtInVocabularyGivesHuggingFaceIds() throws IOException {
    check("built-in", BuiltInTokenizers.clip());
    assertEquals(77, BuiltInTokenizers.CLIP_MAX_POSITIONS);
  }

  @Test
  void fixtureFolderWithTokenizerJson() throws IOException {
    check("tokenizer.json", ModelFolderTokenizer.load(fixture()));
  }

  @Test
  void clipFolderWithoutTokenizerFilesUsesTheBuiltInVocabulary() throws IOException {
    Files.copy(fixture().resolve("config.json"), dir.resolve("config.json"));
    check("config.json only", ModelFolderTokenizer.load(dir));
  }

  @Test
  void clipFolderWithSlowVocabJsonAndMerges() throws IOException {
    // HF's CLIPTokenizer saves vocab.json + merges.txt; write them from the fixture's tokenizer.json.
    JsonObject model =
        JsonParser.parseString(Files.readString(fixture().resolve("tokenizer.json")))
            .getAsJsonObject().getAsJsonObject("model");
    Files.writeString(dir.resolve("vocab.json"), model.get("vocab").toString(), StandardCharsets.UTF_8);
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (JsonElement m : model.getAsJsonArray("merges")) {
      merges.append(m.getAsJsonArray().get(0).getAsString()).append(' ')
          .append(m.getAsJsonArray().get(1).getAsString()).append('\n');
    }
    Files.writeString(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
    Files.copy(fixture().resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    check("vocab.json + merges.txt", ModelFolderTokenizer.load(dir));
  }
}
