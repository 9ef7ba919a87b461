package io.github.transformers4j.models.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.bert.BertConfig;
import io.github.transformers4j.models.bert.BertForMaskedLM;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.opt.OptForCausalLM;
import io.github.transformers4j.models.seq2seq.EncoderDecoderConfig;
import io.github.transformers4j.models.seq2seq.EncoderDecoderModel;
import io.github.transformers4j.models.tasks.MaskedLm;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Models with int8 and bf16 weights against the same models in fp32: every matmul weight of every
 * family converted (the tied output projection included), logits close, greedy decoding mostly
 * the same, and the resident bytes of the weights.
 *
 * <p>Tolerances are relative to the largest fp32 logit: int8's rounding is at most half a step
 * (1/254 of a channel's largest weight), bf16's 2⁻⁹ of each weight, and both errors partly cancel
 * over a dot product; the bounds below are about three times the errors measured on these models.
 */
class QuantizedModelsTest {
  private static final Path FIXTURE = TestSupport.shared("fixtures/models/tiny-random-gpt2");
  private static final Map<WeightPrecision, Double> TOLERANCE =
      Map.of(WeightPrecision.INT8, 0.06, WeightPrecision.BF16, 0.015);
  private static ComputeBackend backend;
  private static Ops ops;

  @BeforeAll
  static void open() {
    backend = TestSupport.cpu(2);
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  @Test
  void gpt2LogitsStayCloseAndGreedyDecodingMostlyAgrees() throws Exception {
    Gpt2Model f32 = Pretrained.load(ops, FIXTURE, Gpt2Model.class);
    int[] ids = {464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13};
    for (int i = 0; i < ids.length; i++) {
      ids[i] %= f32.config().vocabSize();
    }
    float[] want = f32.logits(ids).toFloatArray();
    GenerationConfig greedy = GenerationConfig.greedy(24);
    int[] wantTokens = new Generator(f32::session).generate(new int[] {1, 2, 3}, greedy);
    long f32Bytes = f32.weightBytes();
    for (WeightPrecision p : new WeightPrecision[] {WeightPrecision.INT8, WeightPrecision.BF16}) {
      Gpt2Model q = Pretrained.load(ops, FIXTURE, Gpt2Model.class, p);
      assertEveryMatmulWeightConverted(q, name -> name.startsWith("wpe."), p);
      float[] got = q.logits(ids).toFloatArray();
      double rel = TestSupport.maxAbsDiff(want, got) / maxAbs(want);
      System.out.printf("gpt2 %s: max |logit diff| / max |logit| = %.4g%n", p.label(), rel);
      assertTrue(rel <= TOLERANCE.get(p), p + ": max |logit diff| / max |logit| = " + rel);
      int[] tokens = new Generator(q::session).generate(new int[] {1, 2, 3}, greedy);
      // Count the new tokens only (the output starts with the 3 prompt ids).
      int same = 0;
      for (int i = 3; i < Math.min(tokens.length, wantTokens.length); i++) {
        same += tokens[i] == wantTokens[i] ? 1 : 0;
      }
      int fresh = wantTokens.length - 3;
      System.out.printf("gpt2 %s: greedy tokens equal to fp32: %d of %d%n", p.label(), same, fresh);
      // Greedy decoding follows its own output, so one flipped near-tie changes the rest: ask for
      // most of the tokens, not all.
      assertTrue(same >= fresh * 3 / 4, p + ": only " + same + " of " + fresh + " greedy tokens agree");
      long bytes = q.weightBytes();
      System.out.printf("gpt2 weights: f32 %d bytes, %s %d bytes%n", f32Bytes, p.label(), bytes);
      double ratio = p == WeightPrecision.INT8 ? 0.45 : 0.6;
      assertTrue(bytes < f32Bytes * ratio, p + ": " + bytes + " bytes of weights against " + f32Bytes + " in f32");
    }
  }

  @Test
  void bertMaskedLmAndEncoderDecoderAreConvertedToo() {
    int[] ids = {5, 17, 99, 3, 42, 7, 61};
    int[] types = new int[ids.length];
    int[] mask = {1, 1, 1, 1, 1, 1, 1};
    for (WeightPrecision p : new WeightPrecision[] {WeightPrecision.INT8, WeightPrecision.BF16}) {
      BertConfig bc = BertConfig.of(128, 48, 2, 4, 96);
      BertForMaskedLM bf32 = randomized(new BertForMaskedLM(ops, bc));
      float[] want = bf32.logits(ids, types, mask, 1).toFloatArray();
      Pretrained.quantize(bf32, p, "bert");
      // Position and token-type tables are lookups, not matmul weights; the word table is the
      // tied decoder.
      assertEveryMatmulWeightConverted(
          bf32, n -> n.contains("position_embeddings") || n.contains("token_type_embeddings"), p);
      double rel = TestSupport.maxAbsDiff(want, bf32.logits(ids, types, mask, 1).toFloatArray()) / maxAbs(want);
      System.out.printf("bert mlm %s: max |logit diff| / max |logit| = %.4g%n", p.label(), rel);
      assertTrue(rel <= TOLERANCE.get(p), "bert " + p + ": " + rel);

      EncoderDecoderModel s2s = randomized(new EncoderDecoderModel(ops, EncoderDecoderConfig.original(128, 32, 4, 64, 2, 64)));
      float[] w2 = s2s.logits(ids, new int[] {0, 9, 8, 7}).toFloatArray();
      s2s.quantize(p);
      assertEveryMatmulWeightConverted(s2s, n -> false, p);
      double rel2 = TestSupport.maxAbsDiff(w2, s2s.logits(ids, new int[] {0, 9, 8, 7}).toFloatArray()) / maxAbs(w2);
      System.out.printf("encoder-decoder %s: max |logit diff| / max |logit| = %.4g%n", p.label(), rel2);
      assertTrue(rel2 <= TOLERANCE.get(p), "encoder-decoder " + p + ": " + rel2);
    }
  }

  @Test
  void optAndRobertaFoldersLoadQuantized() throws Exception {
    Path opt = TestSupport.shared("models/hf-tiny/opt");
    Path roberta = TestSupport.shared("models/hf-tiny/roberta");
    int[] ids = {2, 31, 415, 7, 5, 6};
    int[] rids = {0, 31, 415, 7, 88, 2};
    OptForCausalLM o32 = Pretrained.load(ops, opt, OptForCausalLM.class);
    float[] want = o32.logits(ids, null, 1).toFloatArray();
    MaskedLm r32 = Pretrained.load(ops, roberta, MaskedLm.class);
    float[] rwant = r32.logits(rids, null, 1).toFloatArray();
    for (WeightPrecision p : new WeightPrecision[] {WeightPrecision.INT8, WeightPrecision.BF16}) {
      OptForCausalLM q = Pretrained.load(ops, opt, OptForCausalLM.class, p);
      // The position table is a lookup; the token table is the tied output projection.
      assertEveryMatmulWeightConverted(q, n -> n.contains("embed_positions"), p);
      double rel = TestSupport.maxAbsDiff(want, q.logits(ids, null, 1).toFloatArray()) / maxAbs(want);
      System.out.printf("opt %s: max |logit diff| / max |logit| = %.4g%n", p.label(), rel);
      assertTrue(rel <= TOLERANCE.get(p), "opt " + p + ": " + rel);
      MaskedLm r = Pretrained.load(ops, roberta, MaskedLm.class, p);
      assertEveryMatmulWeightConverted(
          (AbstractModule) r,
          n -> n.contains("position_embeddings") || n.contains("token_type_embeddings"), p);
      double rrel = TestSupport.maxAbsDiff(rwant, r.logits(rids, null, 1).toFloatArray()) / maxAbs(rwant);
      System.out.printf("roberta mlm %s: max |logit diff| / max |logit| = %.4g%n", p.label(), rrel);
      assertTrue(rrel <= TOLERANCE.get(p), "roberta " + p + ": " + rrel);
    }
  }

  @Test
  void quantizingTwiceOrUsingTheReleasedTableFailsByName() throws Exception {
    Gpt2Model q = Pretrained.load(ops, FIXTURE, Gpt2Model.class, WeightPrecision.INT8);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.quantize(WeightPrecision.BF16));
    assertTrue(e.getMessage().contains("already quantized"), e.getMessage());
    assertEquals(WeightPrecision.INT8, WeightPrecision.parse("INT8"));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> WeightPrecision.parse("int4"));
    assertEquals("unknown weight precision 'int4'; valid: f32, bf16, int8", bad.getMessage());
  }

  // Every rank-2 parameter but the excepted lookup tables is released (its fp32 copy closed).
  private static void assertEveryMatmulWeightConverted(
      AbstractModule m, java.util.function.Predicate<String> lookupOnly, WeightPrecision p) {
    int converted = 0;
    for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
      if (e.getValue().rank() != 2) {
        assertTrue(!e.getValue().isClosed(), e.getKey() + " should stay f32");
        continue;
      }
      boolean lookup = lookupOnly.test(e.getKey());
      assertEquals(!lookup, e.getValue().isClosed(), e.getKey() + (lookup ? " should stay f32" : " should be " + p.label()));
      converted += lookup ? 0 : 1;
    }
    assertTrue(converted > 0, "no weight converted");
  }

  // Random weights of unit scale, so that logits are far from zero and errors show.
  private static <M extends AbstractModule> M randomized(M m) {
    SplittableRandom r = new SplittableRandom(7);
    for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
      float[] v = new float[e.getValue().size()];
      double std = e.getValue().rank() == 2 ? 1 / Math.sqrt(e.getValue().shape().dim(1)) : 0.1;
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextGaussian() * std) + (e.getKey().endsWith("LayerNorm.weight") || e.getKey().endsWith("norm.weight") ? 1f : 0f);
      }
      m.setParameter(e.getKey(), ops.tensor(v, e.getValue().shape().dims()));
    }
    return m;
  }

  private static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
