package io.github.transformers4j.models.opt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.HfFixture;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.CausalLm;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OPT against Hugging Face transformers 5.18 on {@code testdata/models/hf-tiny/opt}
 * ({@code word_embed_proj_dim} 16 with {@code project_in}/{@code project_out}, offset-2 positions,
 * pre-LN, ReLU; std-0.15 weights): every logit of every position within 1e-4, and {@code
 * generate}'s greedy and 3-beam ids exactly (stop token {@code eos_token_id}), alone and both prompts
 * in one left-padded batch, with and without the KV cache.
 */
class OptParityTest {
  private static final double TOLERANCE = 1e-4;
  private static ComputeBackend backend;
  private static OptForCausalLM model;
  private static HfFixture fixture;

  @BeforeAll
  static void load() throws Exception {
    backend = TestSupport.cpu(1);
    fixture = HfFixture.load("opt");
    CausalLm lm = Pretrained.load(new Ops(backend), fixture.dir(), CausalLm.class);
    model = assertInstanceOf(OptForCausalLM.class, lm);
    assertEquals(2, fixture.cases().size(), "cases in expected_outputs.json");
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static int[] prompt(JsonObject c) {
    return HfFixture.ints(c.get("input_ids"));
  }

  private static GenerationConfig greedy(JsonObject c) {
    return GenerationConfig.greedy(c.get("max_new_tokens").getAsInt())
        .withStopTokens(model.config().eosTokenId());
  }

  private static GenerationConfig beams(JsonObject c) {
    JsonObject b = c.getAsJsonObject("beam_search");
    assertTrue(b.get("early_stopping").getAsBoolean(), "the fixture's beams stop early");
    return GenerationConfig.beams(c.get("max_new_tokens").getAsInt(), b.get("num_beams").getAsInt())
        .withLengthPenalty(b.get("length_penalty").getAsFloat())
        .withStopTokens(model.config().eosTokenId());
  }

  private static int[] expectedBeams(JsonObject c) {
    return HfFixture.ints(c.getAsJsonObject("beam_search").get("output"));
  }

  @Test
  void everyLogitMatchesHuggingFace() {
    double worst = 0;
    for (JsonObject c : fixture.cases()) {
      int[] ids = prompt(c);
      float[] expected = HfFixture.floats(c.get("logits"));
      double d = TestSupport.maxAbsDiff(expected, model.logits(ids, null, 1).toFloatArray());
      worst = Math.max(worst, d);
      assertTrue(d <= TOLERANCE, "max |logit diff| " + d + " > " + TOLERANCE);
      // The same row right-padded by 3 in a batch gives the same logits at its real positions.
      int t = ids.length + 3;
      int[] padded = Arrays.copyOf(ids, t);
      int[] mask = new int[t];
      Arrays.fill(padded, ids.length, t, model.config().padTokenId());
      Arrays.fill(mask, 0, ids.length, 1);
      float[] p = model.logits(padded, mask, 1).toFloatArray();
      double dp =
          TestSupport.maxAbsDiff(expected, Arrays.copyOf(p, ids.length * model.vocabSize()));
      assertTrue(dp <= TOLERANCE, "right-padded: max |logit diff| " + dp);
    }
    System.out.printf("[OptParityTest] max |logit diff| %.3g (tolerance %.0e)%n", worst, TOLERANCE);
  }

  /**
   * OPT-350m's layout (post-LN blocks, no final layer norm, projected embeddings) against its own
   * fixture: logits at every position of a single row and a right-padded batch (padding included:
   * a padded query still sees the real keys before it, in Hugging Face as here).
   */
  @Test
  void postLayerNormVariantMatchesHuggingFace() throws Exception {
    HfFixture f = HfFixture.load("opt-postln");
    OptForCausalLM m =
        assertInstanceOf(OptForCausalLM.class, Pretrained.load(new Ops(backend), f.dir()));
    assertTrue(!m.config().doLayerNormBefore() && !m.config().finalLayerNorm());
    double worst = 0;
    for (JsonObject c : f.cases()) {
      int[] ids = HfFixture.ints(c.get("input_ids"));
      int[] mask = HfFixture.ints(c.get("attention_mask"));
      int b = HfFixture.rows(c.get("input_ids"));
      double d =
          TestSupport.maxAbsDiff(
              HfFixture.floats(c.get("logits")), m.logits(ids, mask, b).toFloatArray());
      worst = Math.max(worst, d);
      assertTrue(d <= TOLERANCE, "B=" + b + ": max |logit diff| " + d + " > " + TOLERANCE);
    }
    System.out.printf("[OptParityTest] post-LN: max |logit diff| %.3g%n", worst);
  }

  @Test
  void greedyAndBeamIdsMatchHuggingFaceAlone() {
    for (JsonObject c : fixture.cases()) {
      int[] p = prompt(c);
      assertArrayEquals(
          HfFixture.ints(c.get("greedy")), new Generator(model::session).generate(p, greedy(c)),
          "greedy after " + Arrays.toString(p));
      assertArrayEquals(
          expectedBeams(c), new Generator(model::session).generate(p, beams(c)),
          "3 beams after " + Arrays.toString(p));
    }
  }

  @Test
  void aLeftPaddedBatchGivesEachRowsIds() {
    List<JsonObject> cs = fixture.cases();
    int[][] prompts = cs.stream().map(OptParityTest::prompt).toArray(int[][]::new);
    // Both cases generate the same number of new tokens.
    assertEquals(cs.get(0).get("max_new_tokens"), cs.get(1).get("max_new_tokens"));
    for (boolean cache : new boolean[] {true, false}) {
      int[][] g = new Generator(model::session, cache).generate(prompts, greedy(cs.get(0)));
      int[][] b = new Generator(model::session, cache).generate(prompts, beams(cs.get(0)));
      for (int i = 0; i < cs.size(); i++) {
        assertArrayEquals(
            HfFixture.ints(cs.get(i).get("greedy")), g[i], "greedy row " + i + ", cache " + cache);
        assertArrayEquals(expectedBeams(cs.get(i)), b[i], "3-beam row " + i + ", cache " + cache);
      }
    }
  }

  @Test
  void cachedDecodingEqualsRecomputingEverything() {
    for (JsonObject c : fixture.cases()) {
      int[] p = prompt(c);
      GenerationConfig longer = GenerationConfig.greedy(20);
      assertArrayEquals(
          new Generator(model::session, false).generate(p, longer),
          new Generator(model::session, true).generate(p, longer),
          "20 greedy tokens after " + Arrays.toString(p));
    }
  }
}
