package io.github.transformers4j.models.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.weights.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our GPT-2 against PyTorch on hf-internal-testing/tiny-random-gpt2 ({@code
 * testdata/models/tiny-random-gpt2}): every logit of every position within 1e-4, the last
 * hidden state within 1e-4, and the greedy continuations token for token.
 */
class Gpt2ParityTest {
  private static final double TOLERANCE = 1e-4;
  private static ComputeBackend backend;
  private static Gpt2Model model;
  private static JsonArray cases;

  @BeforeAll
  static void load() throws Exception {
    Path dir = TestSupport.shared("models/tiny-random-gpt2");
    backend = TestSupport.cpu(1);
    Ops ops = new Ops(backend);
    model = new Gpt2Model(ops, Gpt2Config.fromMap(HfConfig.read(dir.resolve("config.json"))));
    try (SafeTensors weights = SafeTensors.open(dir.resolve("model.safetensors"))) {
      model.load(weights);
    }
    cases =
        JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json")))
            .getAsJsonObject()
            .getAsJsonArray("cases");
    assertEquals(2, cases.size(), "cases in expected_outputs.json");
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  @Test
  void everyLogitAndHiddenStateMatchesPyTorch() {
    double worstLogit = 0;
    double worstHidden = 0;
    for (JsonElement e : cases) {
      JsonObject c = e.getAsJsonObject();
      int[] ids = ints(c.getAsJsonArray("input_ids"));
      float[] logits = model.logits(ids).toFloatArray();
      float[] expected = flatten(c.getAsJsonArray("logits"));
      assertEquals(expected.length, logits.length, "logits size for " + ids.length + " tokens");
      double d = TestSupport.maxAbsDiff(expected, logits);
      worstLogit = Math.max(worstLogit, d);
      assertTrue(d <= TOLERANCE, "max |logit diff| " + d + " > " + TOLERANCE);
      double dh =
          TestSupport.maxAbsDiff(
              flatten(c.getAsJsonArray("last_hidden_state")), model.hidden(ids).toFloatArray());
      worstHidden = Math.max(worstHidden, dh);
      assertTrue(dh <= TOLERANCE, "max |hidden diff| " + dh + " > " + TOLERANCE);
      int v = model.config().vocabSize();
      int[] argmax = ints(c.getAsJsonArray("argmax_per_pos"));
      for (int t = 0; t < ids.length; t++) {
        assertEquals(argmax[t], argmax(logits, t * v, v), "argmax at position " + t);
      }
    }
    System.out.printf(
        "[Gpt2ParityTest] max |logit diff| %.3g, max |hidden diff| %.3g (tolerance %.0e)%n",
        worstLogit, worstHidden, TOLERANCE);
  }

  @Test
  void greedyContinuationsMatchExactly() {
    for (JsonElement e : cases) {
      JsonObject c = e.getAsJsonObject();
      int[] prompt = ints(c.getAsJsonArray("input_ids"));
      int[] expected = ints(c.getAsJsonArray("greedy_to_len"));
      GenerationConfig g = GenerationConfig.greedy(expected.length - prompt.length);
      int[] got = new Generator(model::session).generate(prompt, g);
      assertArrayEquals(expected, got, "greedy continuation of " + java.util.Arrays.toString(prompt));
    }
  }

  @Test
  void batchedLeftPaddedGreedyMatchesEachPromptAlone() {
    List<int[]> prompts = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (JsonElement e : cases) {
      JsonObject c = e.getAsJsonObject();
      prompts.add(ints(c.getAsJsonArray("input_ids")));
      expected.add(ints(c.getAsJsonArray("greedy_to_len")));
    }
    // Both prompts continue by 6 tokens in the fixture.
    int[][] got =
        new Generator(model::session)
            .generate(prompts.toArray(int[][]::new), GenerationConfig.greedy(6));
    for (int i = 0; i < prompts.size(); i++) {
      assertArrayEquals(expected.get(i), got[i], "row " + i + " of a left-padded batch");
    }
  }

  static int argmax(float[] a, int from, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (a[from + i] > a[from + best]) {
        best = i;
      }
    }
    return best;
  }

  static int[] ints(JsonArray a) {
    int[] r = new int[a.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.get(i).getAsInt();
    }
    return r;
  }

  static float[] flatten(JsonArray rows) {
    List<Float> all = new ArrayList<>();
    for (JsonElement row : rows) {
      for (JsonElement x : row.getAsJsonArray()) {
        all.add(x.getAsFloat());
      }
    }
    float[] r = new float[all.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = all.get(i);
    }
    return r;
  }
}
