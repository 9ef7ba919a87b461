package io.github.transformers4j.models.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.layers.NormPlacement;
import io.github.transformers4j.models.layers.SinusoidalPositionalEncoding;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import io.github.transformers4j.models.weights.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BART, Pegasus and Marian against Hugging Face transformers 5.18 on the tiny random models of
 * {@code testdata/models/hf-tiny/{bart,pegasus,marian}} (std 0.15 weights; {@code marian} made by
 * {@code bench/hf_tiny_seq2seq.py}): on every case of each {@code expected_outputs.json}, the
 * encoder output and the teacher-forced logits within 1e-4, and {@code generate}'s greedy and
 * 3-beam ids exactly, alone, in a right-padded batch of both sources, and without the KV cache.
 */
class BartFamilyParityTest {
  private static final double TOLERANCE = 1e-4;
  private static ComputeBackend backend;
  private static Ops ops;

  @BeforeAll
  static void backend() {
    backend = TestSupport.cpu(1);
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  /** A folder's model, its config and its cases. */
  private record Fixture(Seq2SeqLm model, Map<String, Object> config, JsonArray cases) {
    int integer(String field) {
      return ((Number) config.get(field)).intValue();
    }

    /** Hugging Face's generate: stop at eos_token_id, rows that finished hold pad_token_id. */
    GenerationConfig generation(int numBeams, int maxNew) {
      return new GenerationConfig(
          maxNew, 0, false, 1f, 0, 1f, 1f, new int[] {integer("eos_token_id")}, numBeams, 1f,
          integer("pad_token_id"), 0L, 0);
    }
  }

  private static EncoderDecoderModel build(String family, Map<String, ?> config) {
    return new EncoderDecoderModel(ops, EncoderDecoderConfig.fromHuggingFace(family, config));
  }

  private static Map<String, Object> config(String family) throws Exception {
    return new HashMap<>(
        HfConfig.read(TestSupport.shared("models/hf-tiny/" + family).resolve("config.json")));
  }

  private static Fixture fixture(String family) throws Exception {
    Path dir = TestSupport.shared("models/hf-tiny/" + family);
    Seq2SeqLm model = Pretrained.load(ops, dir, Seq2SeqLm.class);
    assertEquals(family, model.architecture());
    JsonArray cases =
        JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json")))
            .getAsJsonObject()
            .getAsJsonArray("cases");
    assertEquals(2, cases.size(), family + ": cases in expected_outputs.json");
    return new Fixture(model, HfConfig.read(dir.resolve("config.json")), cases);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bart", "pegasus", "marian"})
  void encoderStatesAndLogitsMatchHuggingFace(String family) throws Exception {
    Fixture f = fixture(family);
    EncoderDecoderModel m = (EncoderDecoderModel) f.model();
    double worstEncoder = 0;
    double worstLogits = 0;
    for (JsonElement e : f.cases()) {
      JsonObject c = e.getAsJsonObject();
      int[] src = ints(c.getAsJsonArray("input_ids"));
      int[] dec = ints(c.getAsJsonArray("decoder_input_ids"));
      float[] encoded = m.encode(src, 1, null).toFloatArray();
      float[] want = flatten(c.getAsJsonArray("encoder_last_hidden_state"));
      assertEquals(want.length, encoded.length, family + ": encoder output size");
      double d = TestSupport.maxAbsDiff(want, encoded);
      worstEncoder = Math.max(worstEncoder, d);
      assertTrue(d <= TOLERANCE, family + " encoder " + d + " > " + TOLERANCE);
      float[] logits = m.logits(src, null, dec, null, 1).toFloatArray();
      float[] wantLogits = flatten(c.getAsJsonArray("logits"));
      assertEquals(wantLogits.length, logits.length, family + ": logits size");
      double dl = TestSupport.maxAbsDiff(wantLogits, logits);
      worstLogits = Math.max(worstLogits, dl);
      assertTrue(dl <= TOLERANCE, family + " logits " + dl + " > " + TOLERANCE);
    }
    System.out.printf(
        "[BartFamilyParityTest] %s: max |encoder diff| %.3g, max |logit diff| %.3g (tol %.0e)%n",
        family, worstEncoder, worstLogits, TOLERANCE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bart", "pegasus", "marian"})
  void greedyAndBeamIdsMatchHuggingFaceAloneBatchedAndUncached(String family) throws Exception {
    Fixture f = fixture(family);
    Seq2SeqLm m = f.model();
    int start = m.decoderStartTokenId();
    assertEquals(f.integer("decoder_start_token_id"), start, family + ": decoder start token");
    int pad = f.integer("pad_token_id");
    int n = f.cases().size();
    int[][] sources = new int[n][];
    int[][] greedy = new int[n][];
    int[][] beams = new int[n][];
    int maxNew = 0;
    for (int i = 0; i < n; i++) {
      JsonObject c = f.cases().get(i).getAsJsonObject();
      sources[i] = ints(c.getAsJsonArray("input_ids"));
      greedy[i] = ints(c.getAsJsonArray("greedy"));
      JsonObject b = c.getAsJsonObject("beam_search");
      assertEquals(3, b.get("num_beams").getAsInt());
      assertEquals(1.0, b.get("length_penalty").getAsDouble());
      beams[i] = ints(b.getAsJsonArray("output"));
      maxNew = c.get("max_new_tokens").getAsInt();
    }
    GenerationConfig greedyConfig = f.generation(1, maxNew);
    GenerationConfig beamConfig = f.generation(3, maxNew);
    for (int i = 0; i < n; i++) {
      int[] src = sources[i];
      int[] prompt = {start};
      for (boolean cached : new boolean[] {true, false}) {
        Generator g = new Generator(() -> m.session(src, 1, null), cached);
        String what = family + " case " + i + (cached ? "" : " without cache");
        assertArrayEquals(greedy[i], g.generate(prompt, greedyConfig), what + ", greedy");
        assertArrayEquals(beams[i], g.generate(prompt, beamConfig), what + ", 3 beams");
      }
    }
    // Both sources in one batch, right-padded with pad_token_id and masked.
    int s = Math.max(sources[0].length, sources[1].length);
    int[] batch = new int[n * s];
    int[] mask = new int[n * s];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < s; j++) {
        boolean real = j < sources[i].length;
        batch[i * s + j] = real ? sources[i][j] : pad;
        mask[i * s + j] = real ? 1 : 0;
      }
    }
    int[][] prompts = {{start}, {start}};
    for (boolean cached : new boolean[] {true, false}) {
      Generator g = new Generator(() -> m.session(batch, n, mask), cached);
      int[][] gotGreedy = g.generate(prompts, greedyConfig);
      int[][] gotBeams = g.generate(prompts, beamConfig);
      for (int i = 0; i < n; i++) {
        String what =
            family + " case " + i + " in a padded batch" + (cached ? "" : " without cache");
        assertArrayEquals(greedy[i], gotGreedy[i], what + ", greedy");
        assertArrayEquals(beams[i], gotBeams[i], what + ", 3 beams");
      }
    }
  }

  @Test
  void theReadmeExampleGivesWhatItSays() throws Exception {
    Seq2SeqLm bart =
        Pretrained.load(ops, TestSupport.shared("models/hf-tiny/bart"), Seq2SeqLm.class);
    int[] source = {0, 37, 215, 9, 40, 2};
    GenerationConfig beams = GenerationConfig.beams(8, 3).withStopTokens(2);
    int[] out = new Generator(() -> bart.session(source, 1, null)).generate(new int[] {2}, beams);
    assertArrayEquals(new int[] {2, 751, 751, 751, 751, 751, 751, 751, 751}, out);
  }

  @Test
  void aBartModelCheckpointLoadsBareAndWithoutHeadOrBias() throws Exception {
    Path dir = TestSupport.shared("models/hf-tiny/bart");
    Map<String, Object> config = new HashMap<>(HfConfig.read(dir.resolve("config.json")));
    config.put("architectures", List.of("BartModel"));
    EncoderDecoderModel full = build("bart", config);
    EncoderDecoderModel bare = build("bart", config);
    try (SafeTensors w = SafeTensors.open(dir.resolve("model.safetensors"))) {
      full.load(w);
      // BartModel's file: no "model." prefix, no final_logits_bias (the fixture's is zero).
      bare.load(new Renamed(w, n -> !n.equals("final_logits_bias"), "model."));
    }
    int[] src = {0, 37, 215, 9, 40, 2};
    int[] dec = {2, 0, 66};
    assertEquals(
        0.0,
        TestSupport.maxAbsDiff(
            full.logits(src, null, dec, null, 1).toFloatArray(),
            bare.logits(src, null, dec, null, 1).toFloatArray()));
  }

  @Test
  void finalLogitsBiasAndTheStoredSinusoidsAreUsed() throws Exception {
    // Marian's file stores no sinusoids (they are computed) and a nonzero bias; Pegasus's file
    // stores its table. Dropping the bias must move the logits by exactly the bias.
    Path dir = TestSupport.shared("models/hf-tiny/marian");
    Map<String, Object> config = HfConfig.read(dir.resolve("config.json"));
    EncoderDecoderModel with = build("marian", config);
    EncoderDecoderModel without = build("marian", config);
    float[] bias;
    try (SafeTensors w = SafeTensors.open(dir.resolve("model.safetensors"))) {
      assertTrue(!w.contains("model.encoder.embed_positions.weight"), "marian stores no sinusoids");
      bias = w.floats("final_logits_bias");
      with.load(w);
      without.load(new Renamed(w, n -> !n.equals("final_logits_bias"), ""));
    }
    int v = bias.length;
    float[] a = with.logits(new int[] {5, 6, 2}, null, new int[] {1, 9}, null, 1).toFloatArray();
    float[] b = without.logits(new int[] {5, 6, 2}, null, new int[] {1, 9}, null, 1).toFloatArray();
    double worst = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i] - bias[i % v]));
      norm = Math.max(norm, Math.abs(bias[i % v]));
    }
    assertTrue(norm > 0.1, "the fixture's bias is not zero");
    assertTrue(worst < 1e-5, "with and without final_logits_bias: off the bias by " + worst);
    // Pegasus: the stored table is HF's sines-first layout, which the model also computes; a
    // halved stored table must reach the outputs (it is read, not recomputed).
    Path pd = TestSupport.shared("models/hf-tiny/pegasus");
    Map<String, Object> pc = HfConfig.read(pd.resolve("config.json"));
    EncoderDecoderModel stored = build("pegasus", pc);
    EncoderDecoderModel computed = build("pegasus", pc);
    EncoderDecoderModel halved = build("pegasus", pc);
    try (SafeTensors w = SafeTensors.open(pd.resolve("model.safetensors"))) {
      float[] table = w.floats("model.encoder.embed_positions.weight");
      float[] sinesFirst =
          new SinusoidalPositionalEncoding(ops, 64, 32, true).table().toFloatArray();
      double d = TestSupport.maxAbsDiff(table, sinesFirst);
      assertTrue(d < 1e-6, "pegasus's stored table vs the sines-first layout: " + d);
      stored.load(w);
      computed.load(new Renamed(w, n -> !n.contains("embed_positions"), ""));
      halved.load(
          new Renamed(w, n -> true, "") {
            @Override
            public float[] floats(String name) {
              float[] f = super.floats(name);
              if (name.contains("embed_positions")) {
                for (int i = 0; i < f.length; i++) {
                  f[i] *= 0.5f;
                }
              }
              return f;
            }
          });
    }
    int[] src = {0, 37, 215, 9, 40, 2};
    float[] ref = stored.encode(src, 1, null).toFloatArray();
    assertTrue(TestSupport.maxAbsDiff(ref, computed.encode(src, 1, null).toFloatArray()) < 1e-5);
    assertTrue(TestSupport.maxAbsDiff(ref, halved.encode(src, 1, null).toFloatArray()) > 1e-2,
        "a changed stored table changes the encoder output");
  }

  @Test
  void unsupportedOptionsAreRejectedNamingTheField() throws Exception {
    Map<String, Object> marian =
        config("marian");
    Map<String, Object> twoVocabularies = new HashMap<>(marian);
    twoVocabularies.put("decoder_vocab_size", 500);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EncoderDecoderConfig.fromHuggingFace("marian", twoVocabularies));
    assertTrue(e.getMessage().contains("decoder_vocab_size 500"), e.getMessage());
    Map<String, Object> unshared = new HashMap<>(marian);
    unshared.put("share_encoder_decoder_embeddings", false);
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EncoderDecoderConfig.fromHuggingFace("marian", unshared));
    assertTrue(e.getMessage().contains("share_encoder_decoder_embeddings"), e.getMessage());
    Map<String, Object> bart =
        config("bart");
    bart.put("architectures", List.of("BartForSequenceClassification"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EncoderDecoderConfig.fromHuggingFace("bart", bart));
    assertTrue(
        e.getMessage().contains("BartForSequenceClassification")
            && e.getMessage().contains("BartForConditionalGeneration"),
        e.getMessage());
    Map<String, Object> pegasus =
        HfConfig.read(TestSupport.shared("models/hf-tiny/pegasus").resolve("config.json"));
    assertEquals("pegasus", EncoderDecoderConfig.fromAnyMap(pegasus).layout().modelType());
    assertEquals(NormPlacement.PRE, EncoderDecoderConfig.fromAnyMap(pegasus).norm());
    assertEquals(
        EncoderDecoderConfig.Layout.TRANSFORMER,
        EncoderDecoderConfig.fromAnyMap(Map.of(
                "model_type", "transformer", "vocab_size", 10, "d_model", 8,
                "encoder_attention_heads", 2, "encoder_ffn_dim", 16, "encoder_layers", 1,
                "decoder_layers", 1, "max_position_embeddings", 16))
            .layout());
    Map<String, Object> wrongType = new HashMap<>(bart);
    wrongType.put("model_type", "pegasus");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EncoderDecoderConfig.fromHuggingFace("bart", wrongType));
    assertTrue(e.getMessage().contains("model_type 'pegasus'"), e.getMessage());
  }

  @Test
  void anUntiedHeadLoadsFromLmHeadAndIsRequired() throws Exception {
    Path dir = TestSupport.shared("models/hf-tiny/bart");
    Map<String, Object> config = new HashMap<>(HfConfig.read(dir.resolve("config.json")));
    config.put("tie_word_embeddings", false);
    EncoderDecoderModel untied = build("bart", config);
    try (SafeTensors w = SafeTensors.open(dir.resolve("model.safetensors"))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> untied.load(w));
      assertTrue(e.getMessage().contains("missing tensor 'lm_head.weight'"), e.getMessage());
      // With lm_head.weight = shared.weight the untied model computes the tied one's logits.
      Weights withHead = new Renamed(w, n -> true, "") {
        @Override
        public Set<String> names() {
          Set<String> s = new LinkedHashSet<>(super.names());
          s.add("lm_head.weight");
          return s;
        }

        @Override
        public Shape shape(String name) {
          return super.shape(name.equals("lm_head.weight") ? "model.shared.weight" : name);
        }

        @Override
        public float[] floats(String name) {
          return super.floats(name.equals("lm_head.weight") ? "model.shared.weight" : name);
        }
      };
      untied.load(withHead);
      EncoderDecoderModel tied =
          (EncoderDecoderModel) Pretrained.load(ops, dir, Seq2SeqLm.class);
      int[] src = {0, 37, 215, 9, 40, 2};
      int[] dec = {2, 0, 66};
      float[] ref = tied.logits(src, null, dec, null, 1).toFloatArray();
      assertEquals(
          0.0, TestSupport.maxAbsDiff(ref, untied.logits(src, null, dec, null, 1).toFloatArray()));
      // The untied head is quantized too (lm_head, beside shared): as close as the tied model.
      tied.quantize(WeightPrecision.INT8);
      untied.quantize(WeightPrecision.INT8);
      assertEquals(
          0.0,
          TestSupport.maxAbsDiff(
              tied.logits(src, null, dec, null, 1).toFloatArray(),
              untied.logits(src, null, dec, null, 1).toFloatArray()),
          "int8: the untied head holds the same quantized table as the tied one");
      assertTrue(untied.weightBytes() > tied.weightBytes(), "lm_head adds its own int8 table");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bart", "pegasus", "marian"})
  void reducedPrecisionStaysCloseToF32(String family) throws Exception {
    // The bounds QuantizedModelsTest holds the other families to, as a fraction of the largest
    // fp32 logit.
    Path dir = TestSupport.shared("models/hf-tiny/" + family);
    EncoderDecoderModel f32 = (EncoderDecoderModel) Pretrained.load(ops, dir, Seq2SeqLm.class);
    int[] src = {0, 600, 5, 6, 7, 8, 9, 10, 11, 12, 13, 2};
    int[] dec = {f32.decoderStartTokenId(), 0, 66};
    float[] ref = f32.logits(src, null, dec, null, 1).toFloatArray();
    double largest = 0;
    for (float x : ref) {
      largest = Math.max(largest, Math.abs(x));
    }
    for (WeightPrecision p : new WeightPrecision[] {WeightPrecision.INT8, WeightPrecision.BF16}) {
      EncoderDecoderModel q = (EncoderDecoderModel) Pretrained.load(ops, dir, Seq2SeqLm.class, p);
      double d = TestSupport.maxAbsDiff(ref, q.logits(src, null, dec, null, 1).toFloatArray());
      double bound = (p == WeightPrecision.INT8 ? 0.06 : 0.015) * largest;
      System.out.printf(
          "[BartFamilyParityTest] %s %s: max |logit diff| %.3g of largest logit %.3g%n",
          family, p.label(), d, largest);
      assertTrue(d <= bound, family + " " + p.label() + ": " + d + " > " + bound);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bart", "pegasus", "marian"})
  void checkpointTensorsWriteAFolderThatLoadsBack(String family, @TempDir Path tmp)
      throws Exception {
    // What an exporter writes: the family's config and checkpointTensors() as safetensors. The
    // loader is strict both ways (every tensor used, every parameter present), and it reads the
    // Hugging Face files above, so the names written are Hugging Face's.
    Map<String, Object> config =
        config(family);
    config.put("seed", 7);
    EncoderDecoderModel fresh = build(family, config);
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    fresh.checkpointTensors()
        .forEach((n, t) -> tensors.put(n, new TensorData(t.shape(), t.toFloatArray())));
    assertTrue(tensors.containsKey("final_logits_bias"));
    assertTrue(tensors.containsKey("model.shared.weight"));
    Files.copy(
        TestSupport.shared("models/hf-tiny/" + family).resolve("config.json"),
        tmp.resolve("config.json"));
    SafeTensors.write(tmp.resolve("model.safetensors"), tensors, DType.F32);
    EncoderDecoderModel back = (EncoderDecoderModel) Pretrained.load(ops, tmp, Seq2SeqLm.class);
    int[] src = {0, 37, 215, 9, 40, 2};
    int[] dec = {back.decoderStartTokenId(), 0, 66};
    assertEquals(
        0.0,
        TestSupport.maxAbsDiff(
            fresh.logits(src, null, dec, null, 1).toFloatArray(),
            back.logits(src, null, dec, null, 1).toFloatArray()),
        family + ": written and read back");
  }

  /** A checkpoint view keeping the names {@code keep} accepts, with {@code strip} removed. */
  private static class Renamed implements Weights {
    private final Weights inner;
    private final Map<String, String> names = new HashMap<>();
    private final Set<String> order = new LinkedHashSet<>();

    Renamed(Weights inner, Predicate<String> keep, String strip) {
      this.inner = inner;
      for (String n : inner.names()) {
        if (keep.test(n)) {
          String local = !strip.isEmpty() && n.startsWith(strip) ? n.substring(strip.length()) : n;
          names.put(local, n);
          order.add(local);
        }
      }
    }

    private String file(String name) {
      return names.getOrDefault(name, name);
    }

    @Override
    public Set<String> names() {
      return order;
    }

    @Override
    public Shape shape(String name) {
      return inner.shape(file(name));
    }

    @Override
    public DType storedAs(String name) {
      return inner.storedAs(file(name));
    }

    @Override
    public float[] floats(String name) {
      return inner.floats(file(name));
    }
  }

  private static int[] ints(JsonArray a) {
    int[] r = new int[a.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.get(i).getAsInt();
    }
    return r;
  }

  private static float[] flatten(JsonArray a) {
    java.util.List<Float> out = new java.util.ArrayList<>();
    flatten(a, out);
    float[] r = new float[out.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = out.get(i);
    }
    return r;
  }

  private static void flatten(JsonElement e, java.util.List<Float> out) {
    if (e.isJsonArray()) {
      for (JsonElement x : e.getAsJsonArray()) {
        flatten(x, out);
      }
    } else {
      out.add(e.getAsFloat());
    }
  }
}
