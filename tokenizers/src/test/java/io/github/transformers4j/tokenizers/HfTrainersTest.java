package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.tokenizers.models.Bpe;
import io.github.transformers4j.tokenizers.trainers.BpeTrainer;
import io.github.transformers4j.tokenizers.trainers.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link BpeTrainer} against Hugging Face tokenizers 0.23's {@code BpeTrainer} on the first 1,000
 * lines of Shakespeare ({@code testdata/tokenizers/hf-trainers/make_expected.py}): byte-level BPE
 * learns the same vocabulary, token for token and id for id, and the same merges in the same order
 * (ties included). WordPiece training is not compared: its vocabulary orders the alphabet and
 * picks merges differently from Hugging Face's {@code WordPieceTrainer}.
 */
class HfTrainersTest {
  static JsonObject expected() throws IOException {
    return JsonParser.parseString(
            Files.readString(
                Fixtures.tokenizers("hf-trainers/expected.json"), StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  static Map<String, Integer> vocab(JsonObject o) {
    Map<String, Integer> v = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("vocab").entrySet()) {
      v.put(e.getKey(), e.getValue().getAsInt());
    }
    return v;
  }

  static List<String> inIdOrder(Map<String, Integer> vocab) {
    String[] byId = new String[vocab.size()];
    vocab.forEach((t, id) -> byId[id] = t);
    return List.of(byId);
  }

  @Test
  void byteLevelBpeLearnsHuggingFacesMergesInOrder() throws IOException {
    JsonObject ref = expected().getAsJsonObject("bpe");
    BpeTrainer.Config c =
        new BpeTrainer.Config(600, 2, List.of("<|endoftext|>"), "byte-level", false, null);
    Tokenizer t = new BpeTrainer(c, Progress.none()).train(TrainerTest.shakespeare(1000));
    Bpe model = (Bpe) t.model();
    assertEquals(inIdOrder(vocab(ref)), inIdOrder(model.vocab()));
    List<String> want = new ArrayList<>();
    for (JsonElement m : ref.getAsJsonArray("merges")) {
      JsonArray pair = m.getAsJsonArray();
      want.add(pair.get(0).getAsString() + " " + pair.get(1).getAsString());
    }
    List<String> got = new ArrayList<>();
    for (String[] m : model.merges()) {
      got.add(m[0] + " " + m[1]);
    }
    assertEquals(want, got);
  }
}
