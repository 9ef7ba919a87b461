package io.github.transformers4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * T5 (v1.0: ReLU, tied, scaled head) and mT5 (gated {@code gelu_new}, own {@code lm_head},
 * unscaled) against Hugging Face transformers 5.18 on the tiny random models of {@code
 * testdata/models/hf-tiny/{t5,mt5}}: encoder states and teacher-forced logits within 1e-4 on every
 * case, and {@code generate}'s greedy and 3-beam ids exactly, alone and in a right-padded batch.
 */
class T5ParityTest {
  private static final double TOLERANCE = 1e-4;
  private static ComputeBackend backend;
  private static Ops ops;

  @BeforeAll
  static void open() {
    backend = TestSupport.cpu(1);
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private record Fixture(T5ForConditionalGeneration model, List<JsonObject> cases) {
    int eos() {
      return model.config().eosTokenId();
    }

    int pad() {
      return model.config().padTokenId();
    }
  }

  private static Fixture fixture(String family) throws Exception {
    Path dir = TestSupport.shared("models/hf-tiny/" + family);
    PretrainedModel m = Pretrained.load(ops, dir);
    T5ForConditionalGeneration model = assertInstanceOf(T5ForConditionalGeneration.class, m);
    assertEquals(family, model.architecture(), "architecture picked by model_type");
    List<JsonObject> cases = new ArrayList<>();
    for (JsonElement e :
        JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json")))
            .getAsJsonObject()
            .getAsJsonArray("cases")) {
      cases.add(e.getAsJsonObject());
    }
    assertEquals(2, cases.size(), family + ": cases in expected_outputs.json");
    return new Fixture(model, cases);
  }

  @ParameterizedTest
  @ValueSource(strings = {"t5", "mt5"})
  void encoderStatesAndLogitsMatchHuggingFace(String family) throws Exception {
    Fixture f = fixture(family);
    double worstEnc = 0;
    double worstLogit = 0;
    for (JsonObject c : f.cases()) {
      int[] src = ints(c.getAsJsonArray("input_ids"));
      int[] tgt = ints(c.getAsJsonArray("decoder_input_ids"));
      double de =
          TestSupport.maxAbsDiff(
              flatten(c.getAsJsonArray("encoder_last_hidden_state")),
              f.model().encode(src, 1, null).toFloatArray());
      double dl =
          TestSupport.maxAbsDiff(
              flatten(c.getAsJsonArray("logits")),
              f.model().logits(src, null, tgt, null, 1).toFloatArray());
      assertTrue(
          de <= TOLERANCE,
          family + ": max |encoder state diff| " + de + " for " + Arrays.toString(src));
      assertTrue(
          dl <= TOLERANCE, family + ": max |logit diff| " + dl + " for " + Arrays.toString(src));
      worstEnc = Math.max(worstEnc, de);
      worstLogit = Math.max(worstLogit, dl);
    }
    System.out.printf(
        "[T5ParityTest] %s: max |encoder diff| %.3g, max |logit diff| %.3g (tolerance %.0e)%n",
        family, worstEnc, worstLogit, TOLERANCE);
  }

  private static GenerationConfig greedy(Fixture f, JsonObject c) {
    return withPad(
        GenerationConfig.greedy(c.get("max_new_tokens").getAsInt()).withStopTokens(f.eos()),
        f.pad());
  }

  private static GenerationConfig beams(Fixture f, JsonObject c) {
    JsonObject b = c.getAsJsonObject("beam_search");
    assertTrue(b.get("early_stopping").getAsBoolean(), "fixture beams use early stopping");
    return withPad(
        GenerationConfig.beams(c.get("max_new_tokens").getAsInt(), b.get("num_beams").getAsInt())
            .withStopTokens(f.eos())
            .withLengthPenalty(b.get("length_penalty").getAsFloat()),
        f.pad());
  }

  /** {@code g} with the model's pad id (HF pads finished rows with it). */
  private static GenerationConfig withPad(GenerationConfig g, int pad) {
    return new GenerationConfig(
        g.maxNewTokens(),
        g.maxLength(),
        g.doSample(),
        g.temperature(),
        g.topK(),
        g.topP(),
        g.repetitionPenalty(),
        g.stopTokens(),
        g.numBeams(),
        g.lengthPenalty(),
        pad,
        g.seed(),
        g.vocabularyLimit());
  }

  private static int[] start(Fixture f) {
    return new int[] {f.model().decoderStartTokenId()};
  }

  @ParameterizedTest
  @ValueSource(strings = {"t5", "mt5"})
  void greedyIdsMatchHuggingFace(String family) throws Exception {
    Fixture f = fixture(family);
    for (JsonObject c : f.cases()) {
      int[] src = ints(c.getAsJsonArray("input_ids"));
      int[] got =
          new Generator(() -> f.model().session(src, 1, null)).generate(start(f), greedy(f, c));
      assertArrayEquals(
          ints(c.getAsJsonArray("greedy")), got, family + " greedy for " + Arrays.toString(src));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t5", "mt5"})
  void beamIdsMatchHuggingFace(String family) throws Exception {
    Fixture f = fixture(family);
    for (JsonObject c : f.cases()) {
      int[] src = ints(c.getAsJsonArray("input_ids"));
      int[] got =
          new Generator(() -> f.model().session(src, 1, null)).generate(start(f), beams(f, c));
      assertArrayEquals(
          ints(c.getAsJsonObject("beam_search").getAsJsonArray("output")),
          got,
          family + " 3-beam output for " + Arrays.toString(src));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t5", "mt5"})
  void rightPaddedBatchGivesEachSourceItsOwnIds(String family) throws Exception {
    Fixture f = fixture(family);
    int[][] sources =
        f.cases().stream().map(c -> ints(c.getAsJsonArray("input_ids"))).toArray(int[][]::new);
    int width = Arrays.stream(sources).mapToInt(s -> s.length).max().orElseThrow();
    int[] ids = new int[sources.length * width];
    int[] mask = new int[sources.length * width];
    Arrays.fill(ids, f.pad());
    for (int r = 0; r < sources.length; r++) {
      System.arraycopy(sources[r], 0, ids, r * width, sources[r].length);
      Arrays.fill(mask, r * width, r * width + sources[r].length, 1);
    }
    int[][] prompts = new int[sources.length][];
    Arrays.fill(prompts, start(f));
    Generator g = new Generator(() -> f.model().session(ids, sources.length, mask));
    // The fixture's cases share max_new_tokens, so one configuration serves the batch.
    JsonObject first = f.cases().get(0);
    int[][] greedy = g.generate(prompts, greedy(f, first));
    int[][] beams = g.generate(prompts, beams(f, first));
    for (int r = 0; r < sources.length; r++) {
      JsonObject c = f.cases().get(r);
      assertEquals(first.get("max_new_tokens").getAsInt(), c.get("max_new_tokens").getAsInt());
      assertArrayEquals(
          ints(c.getAsJsonArray("greedy")), greedy[r], family + " greedy, batch row " + r);
      assertArrayEquals(
          ints(c.getAsJsonObject("beam_search").getAsJsonArray("output")),
          beams[r],
          family + " beams, batch row " + r);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t5", "mt5"})
  void cachedDecodingEqualsRecomputingEveryStep(String family) throws Exception {
    Fixture f = fixture(family);
    for (JsonObject c : f.cases()) {
      int[] src = ints(c.getAsJsonArray("input_ids"));
      // Longer than the fixture, so that the decoder's distances reach the logarithmic buckets.
      GenerationConfig longer = GenerationConfig.greedy(24);
      int[] cached =
          new Generator(() -> f.model().session(src, 1, null), true).generate(start(f), longer);
      int[] uncached =
          new Generator(() -> f.model().session(src, 1, null), false).generate(start(f), longer);
      assertArrayEquals(
          uncached, cached, family + " cached vs uncached greedy for " + Arrays.toString(src));
      GenerationConfig b = GenerationConfig.beams(12, 3);
      // Without the cache the generator feeds the prompt to a fresh session of one row, then, once
      // the beams exist, every step to a fresh session of 3 rows: the supplier gives it both.
      AtomicInteger calls = new AtomicInteger();
      int[] src3 = new int[3 * src.length];
      for (int r = 0; r < 3; r++) {
        System.arraycopy(src, 0, src3, r * src.length, src.length);
      }
      int[] beamsUncached =
          new Generator(
                  () ->
                      calls.getAndIncrement() == 0
                          ? f.model().session(src, 1, null)
                          : f.model().session(src3, 3, null),
                  false)
              .generate(start(f), b);
      assertTrue(calls.get() > 2, "uncached beam search recomputed each step");
      assertArrayEquals(
          beamsUncached,
          new Generator(() -> f.model().session(src, 1, null), true).generate(start(f), b),
          family + " cached vs uncached beams for " + Arrays.toString(src));
    }
  }

  /**
   * Decoder prompts of different lengths (a forced prefix on one row) are left-padded by the
   * generator: each row's position bias then follows its own positions, and each row decodes as
   * it would alone.
   */
  @ParameterizedTest
  @ValueSource(strings = {"t5", "mt5"})
  void leftPaddedDecoderPromptsDecodeAsAlone(String family) throws Exception {
    Fixture f = fixture(family);
    int[] a = ints(f.cases().get(0).getAsJsonArray("input_ids"));
    int[] b = ints(f.cases().get(1).getAsJsonArray("input_ids"));
    int width = Math.max(a.length, b.length);
    int[] ids = new int[2 * width];
    int[] mask = new int[2 * width];
    System.arraycopy(a, 0, ids, 0, a.length);
    System.arraycopy(b, 0, ids, width, b.length);
    Arrays.fill(mask, 0, a.length, 1);
    Arrays.fill(mask, width, width + b.length, 1);
    int[][] prompts = {{0, 55, 66, 77, 88}, {0}};
    GenerationConfig g = GenerationConfig.greedy(12);
    int[][] batch = new Generator(() -> f.model().session(ids, 2, mask)).generate(prompts, g);
    int[] aloneA = new Generator(() -> f.model().session(a, 1, null)).generate(prompts[0], g);
    int[] aloneB = new Generator(() -> f.model().session(b, 1, null)).generate(prompts[1], g);
    assertArrayEquals(aloneA, batch[0], family + ": row with the forced prefix");
    assertArrayEquals(aloneB, batch[1], family + ": left-padded row");
  }

  @ParameterizedTest
  @ValueSource(strings = {"t5", "mt5"})
  void teacherForcedLogitsEqualStepByStepSessionLogits(String family) throws Exception {
    Fixture f = fixture(family);
    int[] src = ints(f.cases().get(1).getAsJsonArray("input_ids"));
    int v = f.model().vocabSize();
    // 30 decoder positions: distances up to 29 pass the max distance 20 of the fixture's buckets.
    int[] target = new int[30];
    for (int i = 1; i < target.length; i++) {
      target[i] = (37 * i + 11) % v;
    }
    float[] forced = f.model().logits(src, null, target, null, 1).toFloatArray();
    DecodingSession s = f.model().session(src, 1, null);
    double worst = 0;
    for (int i = 0; i < target.length; i++) {
      float[] step = s.step(new int[] {target[i]}, new int[] {i}, 1, null).toFloatArray();
      double d = TestSupport.maxAbsDiff(Arrays.copyOfRange(forced, i * v, (i + 1) * v), step);
      worst = Math.max(worst, d);
    }
    assertTrue(worst <= 1e-5, family + ": teacher-forced vs cached step logits differ by " + worst);
  }

  /**
   * Longer than the fixture's cases ({@code testdata/t5/long_references.json}): both sources in one
   * right-padded batch, 30 decoder positions (past max_distance 20), 30 new tokens.
   */
  @ParameterizedTest
  @ValueSource(strings = {"t5", "mt5"})
  void longDecodesOfAPaddedBatchMatchHuggingFace(String family) throws Exception {
    Fixture f = fixture(family);
    JsonObject root =
        JsonParser.parseString(Files.readString(TestSupport.shared("t5/long_references.json")))
            .getAsJsonObject();
    JsonObject ref = root.getAsJsonObject("models").getAsJsonObject(family);
    JsonArray sources = root.getAsJsonArray("sources");
    int b = sources.size();
    int width = 0;
    for (JsonElement e : sources) {
      width = Math.max(width, e.getAsJsonArray().size());
    }
    int[] ids = new int[b * width];
    int[] mask = new int[b * width];
    Arrays.fill(ids, f.pad());
    for (int r = 0; r < b; r++) {
      int[] src = ints(sources.get(r).getAsJsonArray());
      System.arraycopy(src, 0, ids, r * width, src.length);
      Arrays.fill(mask, r * width, r * width + src.length, 1);
    }
    int[] dec = ints(root.getAsJsonArray("decoder_input_ids"));
    int t = dec.length;
    int[] target = new int[b * t];
    for (int r = 0; r < b; r++) {
      System.arraycopy(dec, 0, target, r * t, t);
    }
    int v = f.model().vocabSize();
    float[] logits = f.model().logits(ids, mask, target, null, b).toFloatArray();
    int[] positions = ints(root.getAsJsonArray("positions"));
    JsonArray expected = ref.getAsJsonArray("logits");
    double worst = 0;
    for (int r = 0; r < b; r++) {
      float[] want = flatten(expected.get(r).getAsJsonArray());
      float[] got = new float[positions.length * v];
      for (int i = 0; i < positions.length; i++) {
        System.arraycopy(logits, (r * t + positions[i]) * v, got, i * v, v);
      }
      worst = Math.max(worst, TestSupport.maxAbsDiff(want, got));
    }
    // The reference logits are rounded to 1e-6.
    assertTrue(worst <= TOLERANCE, family + ": max |logit diff| over 30 positions " + worst);
    int[][] prompts = new int[b][];
    Arrays.fill(prompts, start(f));
    Generator g = new Generator(() -> f.model().session(ids, b, mask));
    GenerationConfig greedy = withPad(GenerationConfig.greedy(30).withStopTokens(f.eos()), f.pad());
    GenerationConfig beams =
        withPad(
            GenerationConfig.beams(30, 3).withStopTokens(f.eos()).withLengthPenalty(1f), f.pad());
    int[][] gotGreedy = g.generate(prompts, greedy);
    int[][] gotBeams = g.generate(prompts, beams);
    for (int r = 0; r < b; r++) {
      assertArrayEquals(
          hfRow(ref.getAsJsonArray("greedy").get(r).getAsJsonArray(), f.eos()),
          gotGreedy[r],
          family + ": greedy, 30 new tokens, batch row " + r);
      assertArrayEquals(
          hfRow(ref.getAsJsonArray("beam_search").get(r).getAsJsonArray(), f.eos()),
          gotBeams[r],
          family + ": 3 beams, 30 new tokens, batch row " + r);
    }
  }

  /** A row of a batched Hugging Face output without the padding after its end token. */
  private static int[] hfRow(JsonArray row, int eos) {
    int[] ids = ints(row);
    for (int i = 1; i < ids.length; i++) {
      if (ids[i] == eos) {
        return Arrays.copyOf(ids, i + 1);
      }
    }
    return ids;
  }

  @ParameterizedTest
  @ValueSource(strings = {"t5", "mt5"})
  void reducedPrecisionWeightsKeepLogitsClose(String family) throws Exception {
    Fixture f = fixture(family);
    Path dir = TestSupport.shared("models/hf-tiny/" + family);
    // As QuantizedModelsTest: relative to the largest fp32 logit, about 3x the error of GPT-2.
    for (WeightPrecision p : new WeightPrecision[] {WeightPrecision.INT8, WeightPrecision.BF16}) {
      double tolerance = p == WeightPrecision.INT8 ? 0.06 : 0.015;
      T5ForConditionalGeneration q = Pretrained.load(ops, dir, T5ForConditionalGeneration.class, p);
      assertTrue(
          q.weightBytes() < f.model().weightBytes(), family + " " + p + " holds fewer bytes");
      for (JsonObject c : f.cases()) {
        int[] src = ints(c.getAsJsonArray("input_ids"));
        int[] tgt = ints(c.getAsJsonArray("decoder_input_ids"));
        float[] ref = f.model().logits(src, null, tgt, null, 1).toFloatArray();
        double scale = 0;
        for (float x : ref) {
          scale = Math.max(scale, Math.abs(x));
        }
        double d = TestSupport.maxAbsDiff(ref, q.logits(src, null, tgt, null, 1).toFloatArray());
        assertTrue(
            d <= tolerance * scale,
            family + " " + p + ": max |logit diff| " + d + " > " + tolerance + " x " + scale);
      }
    }
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
