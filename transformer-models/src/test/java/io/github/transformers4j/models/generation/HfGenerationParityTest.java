package io.github.transformers4j.models.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.ToNumberPolicy;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generator against Hugging Face's {@code generate} on a tiny random GPT-2 ({@code
 * testdata/models/hf-tiny/gpt2}, made by {@code bench/make_generation_fixture.py}): greedy and
 * beam search under every logits processor and early-stopping rule give exactly Hugging Face's
 * ids, for each prompt alone and for all of them in one left-padded batch. The settings are read
 * from the fixture's Hugging Face field names through {@link HfGenerationSettings}, so the
 * mapping is tested too.
 */
class HfGenerationParityTest {
  private static final Gson GSON =
      new Gson().newBuilder().setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create();
  private static ComputeBackend backend;
  private static Gpt2Model model;

  @BeforeAll
  static void load() throws Exception {
    backend = TestSupport.cpu(1);
    model = Pretrained.load(new Ops(backend), TestSupport.shared("models/hf-tiny/gpt2"), Gpt2Model.class);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  static Stream<JsonObject> cases() throws Exception {
    Path file = TestSupport.shared("models/hf-tiny/gpt2/expected_generation.json");
    JsonArray cases =
        JsonParser.parseString(Files.readString(file)).getAsJsonObject().getAsJsonArray("cases");
    assertEquals(28, cases.size(), "cases in " + file);
    return cases.asList().stream().map(JsonElement::getAsJsonObject);
  }

  @SuppressWarnings("unchecked")
  private static GenerationConfig settings(JsonObject c) {
    Map<String, Object> fields = GSON.fromJson(c.get("settings"), Map.class);
    fields.put("max_new_tokens", c.get("max_new_tokens").getAsLong());
    fields.put("eos_token_id", c.get("eos_token_id").getAsLong());
    fields.put("pad_token_id", c.get("pad_token_id").getAsLong());
    return HfGenerationSettings.apply(HfGenerationSettings.defaults(), fields, c.get("name").getAsString());
  }

  private static int[][] rows(JsonArray a) {
    int[][] r = new int[a.size()][];
    for (int i = 0; i < r.length; i++) {
      JsonArray row = a.get(i).getAsJsonArray();
      r[i] = new int[row.size()];
      for (int j = 0; j < r[i].length; j++) {
        r[i][j] = row.get(j).getAsInt();
      }
    }
    return r;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sameIdsAsHuggingFaceAloneAndInALeftPaddedBatch(JsonObject c) {
    String name = c.get("name").getAsString() + " max_new " + c.get("max_new_tokens");
    GenerationConfig g = settings(c);
    int[][] prompts = rows(c.getAsJsonArray("prompts"));
    int[][] alone = rows(c.getAsJsonArray("alone"));
    int[][] batch = rows(c.getAsJsonArray("batch"));
    Generator gen = new Generator(model::session);
    for (int i = 0; i < prompts.length; i++) {
      assertArrayEquals(alone[i], gen.generate(prompts[i], g), name + ", prompt " + i + " alone");
    }
    int[][] together = gen.generate(prompts, g);
    for (int i = 0; i < prompts.length; i++) {
      assertArrayEquals(batch[i], together[i], name + ", prompt " + i + " in the batch");
    }
  }

  @Test
  void everySettingOfTheFixtureIsExercised() throws Exception {
    long beams = cases().filter(c -> settings(c).numBeams() > 1).count();
    long processors =
        cases().filter(c -> {
          GenerationConfig g = settings(c);
          return g.noRepeatNgramSize() > 0 || g.minNewTokens() > 0 || g.forcedEosTokenId() >= 0
              || g.repetitionPenalty() != 1f;
        }).count();
    assertTrue(beams >= 18 && processors >= 12, beams + " beam cases, " + processors + " with processors");
  }

  @Test
  void settingsTheGeneratorLacksAreErrorsNamingThem() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HfGenerationSettings.apply(
                HfGenerationSettings.defaults(), Map.of("num_beam_groups", 2L), "generation_config.json"));
    assertTrue(e.getMessage().contains("num_beam_groups"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HfGenerationSettings.apply(
                HfGenerationSettings.defaults(), Map.of("early_stopping", "sometimes"), "g.json"));
    assertTrue(e.getMessage().contains("early_stopping"), e.getMessage());
    // Neutral values of unsupported settings are fine (Hugging Face writes some of them).
    GenerationConfig g =
        HfGenerationSettings.apply(
            HfGenerationSettings.defaults(),
            Map.of("num_return_sequences", 1L, "suppress_tokens", java.util.List.of(), "num_beams", 4L),
            "g.json");
    assertEquals(4, g.numBeams());
  }
}
