package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task commands against Hugging Face's pipelines ({@code
 * testdata/models/hf-tiny/pipelines/expected_pipelines.json}, made by {@code
 * bench/make_pipeline_fixture.py}): {@code fill-mask}, {@code ner} ("simple" aggregation), {@code
 * classify}, {@code summarize} and {@code translate} (T5 with {@code task_specific_params}) give
 * the same tokens, labels, spans and texts, and probabilities within {@value #SCORE}.
 */
class TaskCommandsTest {
  /** The fixture's scores are rounded to 6 decimals; float32 sums differ in the last bits. */
  private static final double SCORE = 2e-6;

  private static final Path TINY = SharedData.require("models/hf-tiny");
  private static JsonObject expected;

  @BeforeAll
  static void read() throws Exception {
    expected =
        JsonParser.parseString(Files.readString(TINY.resolve("pipelines/expected_pipelines.json")))
            .getAsJsonObject();
  }

  /** A folder with a model's config and weights and the given tokenizer files. */
  private static Path folder(Path dir, String model, String config, String... tokenizerFiles)
      throws Exception {
    Files.createDirectories(dir);
    Files.copy(TINY.resolve(config), dir.resolve("config.json"));
    Files.copy(TINY.resolve(model).resolve("model.safetensors"), dir.resolve("model.safetensors"));
    for (int i = 0; i < tokenizerFiles.length; i += 2) {
      Files.copy(SharedData.require(tokenizerFiles[i]), dir.resolve(tokenizerFiles[i + 1]));
    }
    return dir;
  }

  private static Path wordPiece(Path dir, String model) throws Exception {
    return folder(
        dir, model, model + "/config.json",
        "models/hf-tiny/pipelines/wordpiece-tokenizer.json", "tokenizer.json",
        "models/hf-tiny/pipelines/wordpiece-tokenizer_config.json", "tokenizer_config.json");
  }

  private static Path t5(Path dir) throws Exception {
    return folder(
        dir, "t5", "pipelines/t5-config.json",
        "tokenizers/t5/saved/tokenizer.json", "tokenizer.json",
        "tokenizers/t5/tokenizer_config.json", "tokenizer_config.json");
  }

  private static List<String> texts(JsonObject task) {
    List<String> t = new ArrayList<>();
    for (JsonElement e : task.getAsJsonArray("texts")) {
      t.add(e.getAsString());
    }
    return t;
  }

  private static Cli.Run run(List<String> head, List<String> texts) {
    List<String> args = new ArrayList<>(List.of("--backend", "cpu"));
    args.addAll(head);
    args.addAll(texts);
    Cli.Run r = Cli.runInstalled(args.toArray(String[]::new));
    assertEquals(0, r.code(), r::toString);
    return r;
  }

  private static List<JsonArray> jsonLines(Cli.Run r) {
    List<JsonArray> out = new ArrayList<>();
    for (String line : r.out().strip().split("\n")) {
      out.add(JsonParser.parseString(line).getAsJsonArray());
    }
    return out;
  }

  /** Each object of {@code got} has {@code want}'s fields: strings and ints equal, scores close. */
  private static void sameObjects(JsonArray want, JsonArray got, String what) {
    assertEquals(want.size(), got.size(), what + ": " + got);
    for (int i = 0; i < want.size(); i++) {
      JsonObject w = want.get(i).getAsJsonObject();
      JsonObject g = got.get(i).getAsJsonObject();
      for (String key : w.keySet()) {
        String where = what + ", item " + i + ", " + key + ": want " + w + ", got " + g;
        assertTrue(g.has(key), where);
        if (key.equals("score")) {
          assertEquals(w.get(key).getAsDouble(), g.get(key).getAsDouble(), SCORE, where);
        } else {
          assertEquals(w.get(key), g.get(key), where);
        }
      }
    }
  }

  @Test
  void fillMaskGivesThePipelinesCandidates(@TempDir Path tmp) throws Exception {
    JsonObject task = expected.getAsJsonObject("fill_mask");
    Path dir = wordPiece(tmp.resolve("m"), "electra-generator");
    List<JsonArray> got =
        jsonLines(run(List.of("fill-mask", "--model", dir.toString(), "--json"), texts(task)));
    JsonArray want = task.getAsJsonArray("outputs");
    assertEquals(want.size(), got.size());
    for (int i = 0; i < got.size(); i++) {
      sameObjects(want.get(i).getAsJsonArray(), got.get(i), "fill-mask text " + i);
    }
  }

  @Test
  void nerGroupsWordPiecesAsThePipelinesSimpleAggregation(@TempDir Path tmp) throws Exception {
    JsonObject task = expected.getAsJsonObject("ner");
    Path dir =
        folder(
            tmp.resolve("m"), "pipelines/electra-ner", "pipelines/electra-ner/config.json",
            "models/hf-tiny/pipelines/wordpiece-tokenizer.json", "tokenizer.json",
            "models/hf-tiny/pipelines/wordpiece-tokenizer_config.json", "tokenizer_config.json");
    List<JsonArray> got = jsonLines(run(List.of("ner", "--model", dir.toString(), "--json"), texts(task)));
    JsonArray want = task.getAsJsonArray("outputs");
    assertEquals(want.size(), got.size());
    int entities = 0;
    for (int i = 0; i < got.size(); i++) {
      sameObjects(want.get(i).getAsJsonArray(), got.get(i), "ner text " + i);
      entities += got.get(i).size();
    }
    assertTrue(entities > 30, "the fixture has entities of several tokens and both types: " + entities);
  }

  @Test
  void classifyGivesEveryLabelsProbability(@TempDir Path tmp) throws Exception {
    JsonObject task = expected.getAsJsonObject("classify");
    Path dir = wordPiece(tmp.resolve("m"), "roberta-seqcls");
    List<JsonArray> got =
        jsonLines(run(List.of("classify", "--model", dir.toString(), "--json", "--top-k", "3"), texts(task)));
    JsonArray want = task.getAsJsonArray("outputs");
    for (int i = 0; i < got.size(); i++) {
      sameObjects(want.get(i).getAsJsonArray(), got.get(i), "classify text " + i);
    }
    // Without --json: the best label and its probability per line.
    Cli.Run plain = run(List.of("classify", "--model", dir.toString()), texts(task));
    String best = want.get(0).getAsJsonArray().get(0).getAsJsonObject().get("label").getAsString();
    assertTrue(plain.out().startsWith(best + "\t0."), plain::toString);
  }

  @Test
  void summarizeAndTranslateFollowTheTaskSettingsOfTheConfig(@TempDir Path tmp) throws Exception {
    Path dir = t5(tmp.resolve("t5"));
    JsonObject summarize = expected.getAsJsonObject("summarize");
    Cli.Run s = run(List.of("summarize", "--model", dir.toString()), texts(summarize));
    List<String> want = new ArrayList<>();
    summarize.getAsJsonArray("outputs").forEach(e -> want.add(e.getAsString()));
    assertEquals(want, List.of(s.out().strip().split("\n")), s::toString);

    JsonObject translate = expected.getAsJsonObject("translate_en_de");
    Cli.Run t =
        run(List.of("translate", "--model", dir.toString(), "--task", "translation_en_to_de"), texts(translate));
    List<String> wantT = new ArrayList<>();
    translate.getAsJsonArray("outputs").forEach(e -> wantT.add(e.getAsString()));
    assertEquals(wantT, List.of(t.out().strip().split("\n")), t::toString);

    // Two translation tasks in the config: without --task the command asks for one.
    Cli.Run ambiguous = Cli.runInstalled("--backend", "cpu", "translate", "--model", dir.toString(), "x");
    assertEquals(2, ambiguous.code(), ambiguous::toString);
    assertTrue(ambiguous.err().contains("translation_en_to_de, translation_en_to_fr"), ambiguous::toString);
  }

  @Test
  void aFolderWithoutTheTasksHeadIsAClearError(@TempDir Path tmp) throws Exception {
    Path dir = wordPiece(tmp.resolve("m"), "roberta-seqcls");
    Cli.Run r = Cli.runInstalled("--backend", "cpu", "fill-mask", "--model", dir.toString(), "a [MASK]");
    assertEquals(1, r.code(), r::toString);
    assertTrue(
        r.err().contains("needs a masked-language-model head")
            && r.err().contains("RobertaForSequenceClassification"),
        r::toString);
  }
}
