package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.api.spi.TokenSpans;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RoBERTa/BART and T5/mT5/Pegasus tokenizers of model folders, loaded through the {@code auto}
 * provider, against Hugging Face transformers 5.18 ({@code bench/tokenizer_family_references.py}
 * wrote {@code expected.json}): ids, offsets, word ids and special-tokens mask of every case,
 * pairs, and decoding, from the vocabulary files and from Hugging Face's own {@code tokenizer.json}.
 */
class FamilyTokenizersTest {
  @TempDir Path tmp;

  static JsonObject expected(String family) throws IOException {
    return JsonParser.parseString(
            Files.readString(
                Fixtures.tokenizers(family + "/expected.json"), StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  static TextTokenizer auto(Path dir) throws IOException {
    return Tokenizers.installed().forName("auto").load(dir);
  }

  /** A folder {@code name} in the temp dir holding {@code files} (name in folder → source). */
  Path folder(String name, Map<String, Path> files) throws IOException {
    Path d = Files.createDirectories(tmp.resolve(name));
    for (Map.Entry<String, Path> e : files.entrySet()) {
      Files.copy(e.getValue(), d.resolve(e.getKey()));
    }
    return d;
  }

  /**
   * RoBERTa's vocab.json made from GPT-2's as the reference script makes it: {@code <s> <pad> </s>
   * <unk>} first, GPT-2's tokens shifted by 4, {@code <mask>} last.
   */
  Path robertaFolder(String name, String tokConfig, String config) throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("merges.txt", Fixtures.tokenizers("gpt2/vocab.bpe"));
    if (tokConfig != null) {
      files.put("tokenizer_config.json", Fixtures.tokenizers(tokConfig));
    }
    if (config != null) {
      files.put("config.json", Fixtures.tokenizers(config));
    }
    Path d = folder(name, files);
    Files.writeString(d.resolve("vocab.json"), robertaVocabJson(), StandardCharsets.UTF_8);
    return d;
  }

  private static String robertaVocab;

  private static synchronized String robertaVocabJson() throws IOException {
    if (robertaVocab != null) {
      return robertaVocab;
    }
    JsonObject gpt2 =
        JsonParser.parseString(
                Files.readString(Fixtures.tokenizers("gpt2/encoder.json"), StandardCharsets.UTF_8))
            .getAsJsonObject();
    String[] byId = new String[gpt2.size()];
    for (Map.Entry<String, JsonElement> e : gpt2.entrySet()) {
      byId[e.getValue().getAsInt()] = e.getKey();
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : new String[] {"<s>", "<pad>", "</s>", "<unk>"}) {
      vocab.put(s, vocab.size());
    }
    for (String s : byId) {
      vocab.put(s, vocab.size());
    }
    vocab.put("<mask>", vocab.size());
    robertaVocab = new Gson().toJson(vocab);
    return robertaVocab;
  }

  static int[] ints(JsonArray a) {
    int[] r = new int[a.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.get(i).getAsInt();
    }
    return r;
  }

  /** Hugging Face's offsets count code points; ours are UTF-16 indices. */
  static int utf16(String text, int codePoints) {
    return text.offsetByCodePoints(0, codePoints);
  }

  /** Checks every case of {@code cases}; returns how many texts matched. */
  static int check(TextTokenizer tt, JsonArray cases, String what) {
    Tokenizer t = (Tokenizer) tt;
    int n = 0;
    for (JsonElement el : cases) {
      JsonObject c = el.getAsJsonObject();
      String text = c.get("text").getAsString();
      String label = what + " '" + text + "'";
      if (c.has("pair")) {
        String pair = c.get("pair").getAsString();
        assertArrayEquals(
            ints(c.getAsJsonArray("ids")), t.encode(text, pair, true).ids(), label + " + " + pair);
        n++;
        continue;
      }
      int[] ids = ints(c.getAsJsonArray("ids"));
      assertArrayEquals(ids, tt.encodeIds(text), label + " ids");
      TokenSpans s = tt.encodeSpans(text);
      assertArrayEquals(ids, s.ids(), label + " span ids");
      JsonArray off = c.getAsJsonArray("offsets");
      int[] mask = ints(c.getAsJsonArray("special_tokens_mask"));
      int[] words = ints(c.getAsJsonArray("word_ids"));
      for (int i = 0; i < ids.length; i++) {
        JsonArray o = off.get(i).getAsJsonArray();
        assertEquals(utf16(text, o.get(0).getAsInt()), s.starts()[i], label + " start " + i);
        assertEquals(utf16(text, o.get(1).getAsInt()), s.ends()[i], label + " end " + i);
        assertEquals(mask[i] == 1, s.special()[i], label + " special " + i);
        assertEquals(words[i], s.wordIds()[i], label + " word " + i);
      }
      assertEquals(c.get("decoded").getAsString(), tt.decodeIds(ids, true), label + " decoded");
      n++;
    }
    return n;
  }

  @Test
  void robertaFromVocabJsonAndMerges() throws IOException {
    JsonObject ref = expected("roberta");
    Path d = robertaFolder("roberta", "roberta/tokenizer_config.json", null);
    TextTokenizer t = auto(d);
    assertEquals(ref.getAsJsonObject("roberta").getAsJsonObject("info").get("len").getAsInt(),
        t.vocabularySize());
    assertEquals(19, check(t, ref.getAsJsonObject("roberta").getAsJsonArray("cases"), "roberta"));
  }

  @Test
  void robertaWithAddPrefixSpace() throws IOException {
    Path d = robertaFolder("roberta-aps", "roberta/tokenizer_config.prefix-space.json", null);
    check(
        auto(d),
        expected("roberta").getAsJsonObject("roberta-prefix-space").getAsJsonArray("cases"),
        "roberta add_prefix_space");
  }

  @Test
  void bartChosenByModelTypeWithoutTokenizerConfig() throws IOException {
    // No tokenizer_config.json: <mask> takes no space on its left, as Hugging Face 5.18 builds it.
    Path d = robertaFolder("bart", null, "roberta/config.bart.json");
    check(auto(d), expected("roberta").getAsJsonObject("bart").getAsJsonArray("cases"), "bart");
  }

  @Test
  void optIsGpt2WithEndOfSequenceInFront() throws IOException {
    // OPT: GPT2Tokenizer over RoBERTa's vocabulary with add_bos_token and </s> as BOS.
    Path d = robertaFolder("opt", "opt/tokenizer_config.json", "opt/config.json");
    TextTokenizer t = auto(d);
    assertEquals(2, t.encodeIds("Hello")[0]);
    check(t, expected("opt").getAsJsonObject("opt").getAsJsonArray("cases"), "opt");
  }

  @Test
  void robertaFromHuggingFacesTokenizerJson() throws IOException {
    Path d =
        folder("roberta-small", Map.of(
            "tokenizer.json", Fixtures.tokenizers("roberta/small/tokenizer.json"),
            "tokenizer_config.json", Fixtures.tokenizers("roberta/small/tokenizer_config.json")));
    check(auto(d), expected("roberta").getAsJsonObject("roberta-small").getAsJsonArray("cases"),
        "roberta tokenizer.json");
  }

  Path spieceFolder(String name, String family, String tokConfig, String config)
      throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("spiece.model", Fixtures.tokenizers("t5/spiece.model"));
    if (tokConfig != null) {
      files.put("tokenizer_config.json", Fixtures.tokenizers(family + "/" + tokConfig));
    }
    if (config != null) {
      files.put("config.json", Fixtures.tokenizers(family + "/" + config));
    }
    return folder(name, files);
  }

  @Test
  void t5FromSpieceModelWithSentinels() throws IOException {
    JsonObject ref = expected("t5").getAsJsonObject("t5");
    TextTokenizer t = auto(spieceFolder("t5", "t5", "tokenizer_config.json", null));
    assertEquals(ref.getAsJsonObject("info").get("len").getAsInt(), t.vocabularySize());
    // Sentinels at the end of the vocabulary in reverse: <extra_id_0> is the last id.
    assertEquals(t.vocabularySize() - 1, t.tokenId("<extra_id_0>"));
    assertEquals(t.vocabularySize() - 100, t.tokenId("<extra_id_99>"));
    assertArrayEquals(
        new int[] {69, 1099, 537, 8, 20, 1098, 68, 48, 46, 1},
        t.encodeIds("The <extra_id_0> walks in <extra_id_1> park"));
    assertEquals(19, check(t, ref.getAsJsonArray("cases"), "t5"));
  }

  @Test
  void t5ExtraIdsFromTokenizerConfig() throws IOException {
    TextTokenizer t = auto(spieceFolder("t5-10", "t5", "tokenizer_config.t5-extra10.json", null));
    check(
        t, expected("t5").getAsJsonObject("t5-extra10").getAsJsonArray("cases"), "t5 extra_ids 10");
  }

  @Test
  void mt5ChosenByModelType() throws IOException {
    TextTokenizer t = auto(spieceFolder("mt5", "t5", null, "config.mt5.json"));
    check(t, expected("t5").getAsJsonObject("mt5").getAsJsonArray("cases"), "mt5");
  }

  @Test
  void t5FromHuggingFacesTokenizerJson() throws IOException {
    Path d =
        folder("t5-saved", Map.of("tokenizer.json", Fixtures.tokenizers("t5/saved/tokenizer.json")));
    check(
        auto(d),
        expected("t5").getAsJsonObject("t5").getAsJsonArray("saved_cases"),
        "t5 tokenizer.json");
  }

  @Test
  void pegasusFromSpieceModelWithOffset() throws IOException {
    JsonObject ref = expected("pegasus").getAsJsonObject("pegasus");
    TextTokenizer t = auto(spieceFolder("pegasus", "pegasus", null, "config.json"));
    assertEquals(ref.getAsJsonObject("info").get("len").getAsInt(), t.vocabularySize());
    assertEquals(2, t.tokenId("<mask_1>"));
    assertEquals(104, t.tokenId("<unk_102>"));
    assertEquals(19, check(t, ref.getAsJsonArray("cases"), "pegasus"));
  }

  @Test
  void pegasusFromHuggingFacesTokenizerJson() throws IOException {
    Path d =
        folder(
            "pegasus-saved",
            Map.of("tokenizer.json", Fixtures.tokenizers("pegasus/saved/tokenizer.json")));
    check(auto(d), expected("pegasus").getAsJsonObject("pegasus").getAsJsonArray("saved_cases"),
        "pegasus tokenizer.json");
  }

  @Test
  void savedTokenizerJsonGivesTheSameTokens() throws IOException {
    // Our tokenizer.json of each family, read back by our reader: the same ids, spans and text.
    // (Hugging Face tokenizers 0.23 reads these files too, with the same ids and offsets on all
    // 57 cases: checked once by hand, as tests run no Python.)
    Map<String, Path> dirs = new LinkedHashMap<>();
    dirs.put("roberta", robertaFolder("rt-roberta", "roberta/tokenizer_config.json", null));
    dirs.put("t5", spieceFolder("rt-t5", "t5", "tokenizer_config.json", null));
    dirs.put("pegasus", spieceFolder("rt-pegasus", "pegasus", null, "config.json"));
    JsonObject refs = new JsonObject();
    refs.add("roberta", expected("roberta").getAsJsonObject("roberta"));
    refs.add("t5", expected("t5").getAsJsonObject("t5"));
    refs.add("pegasus", expected("pegasus").getAsJsonObject("pegasus"));
    for (Map.Entry<String, Path> e : dirs.entrySet()) {
      Tokenizer t = (Tokenizer) auto(e.getValue());
      Path saved = Files.createDirectories(tmp.resolve("saved-" + e.getKey()));
      HfTokenizerJson.save(t, saved.resolve("tokenizer.json"));
      TextTokenizer back = auto(saved);
      check(back, refs.getAsJsonObject(e.getKey()).getAsJsonArray("cases"), e.getKey() + " saved");
    }
  }

  @Test
  void folderWithoutTokenizerFilesNamesWhatItExpected() throws IOException {
    Path d = Files.createDirectories(tmp.resolve("empty-model"));
    Files.writeString(d.resolve("config.json"), "{\"model_type\": \"t5\"}");
    IOException e = assertThrows(IOException.class, () -> auto(d));
    assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
    assertTrue(
        e.getMessage().contains("spiece.model")
            && e.getMessage().contains("vocab.json + merges.txt"),
        e.getMessage());
    assertTrue(e.getMessage().contains("model_type t5 needs spiece.model or tokenizer.json"),
        e.getMessage());
  }

  @Test
  void badTokenizerConfigIsNamed() throws IOException {
    Path d = spieceFolder("bad-config", "t5", null, null);
    Files.writeString(d.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"T5Tokenizer\",");
    IOException e = assertThrows(IOException.class, () -> auto(d));
    assertTrue(e.getMessage().contains("tokenizer_config.json: malformed JSON"), e.getMessage());
    Files.writeString(
        d.resolve("tokenizer_config.json"),
        "{\"tokenizer_class\": \"T5Tokenizer\", \"extra_ids\": \"many\"}");
    e = assertThrows(IOException.class, () -> auto(d));
    assertTrue(e.getMessage().contains("extra_ids must be a whole number"), e.getMessage());
  }

  @Test
  void vocabJsonWithoutMergesIsNamed() throws IOException {
    Path d = Files.createDirectories(tmp.resolve("no-merges"));
    Files.writeString(d.resolve("vocab.json"), "{\"a\": 0}");
    IOException e = assertThrows(IOException.class, () -> auto(d));
    assertTrue(e.getMessage().contains("merges.txt") && e.getMessage().contains(d.toString()),
        e.getMessage());
  }
}
