package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j generate} on Hugging Face folders: GPT-2 (the tiny-random-gpt2 fixture) and every
 * generative family of {@code testdata/models/hf-tiny}, whose greedy and 3-beam ids must be
 * exactly those of Hugging Face's {@code generate}.
 */
class GenerateHuggingFaceTest {
  private static final Path MODEL = SharedData.require("models/tiny-random-gpt2");

  private static String ids(JsonArray a) {
    return StreamSupport.stream(a.spliterator(), false)
        .map(e -> Integer.toString(e.getAsInt()))
        .collect(Collectors.joining(","));
  }

  @Test
  void greedyIdsAreThoseOfPyTorch() throws Exception {
    JsonObject c =
        JsonParser.parseString(Files.readString(MODEL.resolve("expected_outputs.json")))
            .getAsJsonObject()
            .getAsJsonArray("cases")
            .get(0)
            .getAsJsonObject();
    String prompt = ids(c.getAsJsonArray("input_ids"));
    JsonArray want = c.getAsJsonArray("greedy_to_len");
    int fresh = want.size() - c.getAsJsonArray("input_ids").size();
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "generate", "--model", MODEL.toString(), "--ids", prompt,
            "--greedy", "--max-new", Integer.toString(fresh));
    assertEquals(0, run.code(), run::toString);
    assertEquals(ids(want), run.out().trim(), run::toString);
  }

  @Test
  void int8WeightsGenerateTheSameGreedyIdsHere() throws Exception {
    JsonObject c =
        JsonParser.parseString(Files.readString(MODEL.resolve("expected_outputs.json")))
            .getAsJsonObject()
            .getAsJsonArray("cases")
            .get(0)
            .getAsJsonObject();
    String prompt = ids(c.getAsJsonArray("input_ids"));
    JsonArray want = c.getAsJsonArray("greedy_to_len");
    int fresh = want.size() - c.getAsJsonArray("input_ids").size();
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "--verbose", "generate", "--model", MODEL.toString(), "--ids", prompt,
            "--greedy", "--max-new", Integer.toString(fresh), "--quantize", "int8");
    assertEquals(0, run.code(), run::toString);
    // On this model int8 keeps every greedy choice (QuantizedModelsTest bounds the logits).
    assertEquals(ids(want), run.out().trim(), run::toString);
    assertTrue(run.err().contains("weights: int8,") && run.err().contains("MB resident"), run::toString);
  }

  @Test
  void withATokenizerInTheFolderItGeneratesText(@TempDir Path dir) throws Exception {
    Files.copy(MODEL.resolve("config.json"), dir.resolve("config.json"));
    Files.copy(MODEL.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    Path corpus = dir.resolve("corpus.txt");
    Files.writeString(corpus, "the quick brown fox jumps over the lazy dog\n".repeat(50));
    // A vocabulary within the model's 1000 ids.
    Cli.Run train =
        Cli.runInstalled(
            "tokenizer", "train", "--model", "bpe", "--vocab-size", "300", "-o",
            dir.resolve("tokenizer.json").toString(), corpus.toString());
    assertEquals(0, train.code(), train::toString);
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "generate", "--model", dir.toString(), "--prompt", "the quick",
            "--max-new", "5", "--seed", "3", "--top-k", "0", "--top-p", "0.9");
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().startsWith("the quick"), run::toString);
  }

  @Test
  void withoutATokenizerTheErrorSaysToGiveIds(@TempDir Path dir) throws Exception {
    Files.copy(MODEL.resolve("config.json"), dir.resolve("config.json"));
    Files.copy(MODEL.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    Cli.Run run =
        Cli.runInstalled("--backend", "cpu", "generate", "--model", dir.toString(), "--prompt", "hi");
    assertNotEquals(0, run.code(), run::toString);
    assertTrue(run.err().contains("--ids"), run::toString);
    Cli.Run notAModel =
        Cli.runInstalled("--backend", "cpu", "generate", "--model", dir.resolve("none").toString());
    assertNotEquals(0, notAModel.code(), notAModel::toString);
    assertTrue(notAModel.err().contains("none: no such folder"), notAModel::toString);
    Cli.Run outside =
        Cli.runInstalled(
            "--backend", "cpu", "generate", "--model", MODEL.toString(), "--ids", "0,1000");
    assertNotEquals(0, outside.code(), outside::toString);
    assertTrue(outside.err().contains("prompt id 1000 is outside the vocabulary of 1000"),
        outside::toString);
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> familyCases()
      throws Exception {
    java.util.List<org.junit.jupiter.params.provider.Arguments> out = new java.util.ArrayList<>();
    for (String family : java.util.List.of("opt", "t5", "mt5", "bart", "pegasus", "marian")) {
      Path dir = SharedData.require("models/hf-tiny/" + family);
      JsonArray cases =
          JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json")))
              .getAsJsonObject()
              .getAsJsonArray("cases");
      for (int i = 0; i < cases.size(); i++) {
        JsonObject c = cases.get(i).getAsJsonObject();
        String input = ids(c.getAsJsonArray("input_ids"));
        String maxNew = Integer.toString(c.get("max_new_tokens").getAsInt());
        out.add(org.junit.jupiter.params.provider.Arguments.of(
            family + " case " + i + " greedy", dir, input, maxNew, "--greedy",
            ids(c.getAsJsonArray("greedy"))));
        out.add(org.junit.jupiter.params.provider.Arguments.of(
            family + " case " + i + " 3 beams", dir, input, maxNew, "--beams=3",
            ids(c.getAsJsonObject("beam_search").getAsJsonArray("output"))));
      }
    }
    return out.stream();
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("familyCases")
  void everyGenerativeFamilyPrintsHuggingFacesIds(
      String name, Path dir, String input, String maxNew, String strategy, String want) {
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "generate", "--model", dir.toString(), "--ids", input, strategy,
            "--max-new", maxNew);
    assertEquals(0, run.code(), run::toString);
    assertEquals(want, run.out().trim(), name + ": " + run);
  }
}
