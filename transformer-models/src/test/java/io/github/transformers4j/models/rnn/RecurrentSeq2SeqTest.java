package io.github.transformers4j.models.rnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.conformance.GradientCheck;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.rnn.RecurrentLmConfig.Cell;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The recurrent encoder-decoder: Luong attention against a naive double-precision oracle and
 * against central differences (through W_a, W_c, b_c, the decoder and the encoder states, with a
 * padded source), step-by-step decoding equal to teacher forcing, padding invariance, beam
 * search's row expansion, and the parameter count.
 */
class RecurrentSeq2SeqTest {
  private static final long SEED = 20261206L;
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

  private static float[] normal(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (0.7 * r.nextGaussian());
    }
    return a;
  }

  @Test
  void luongAttentionMatchesANaiveOracle() {
    int b = 2;
    int t = 3;
    int s = 4;
    int h = 5;
    LuongAttention attn = new LuongAttention(ops, h, new SplittableRandom(SEED));
    float[] dec = normal(1, b * t * h);
    float[] mem = normal(2, b * s * h);
    int[] keep = {1, 1, 1, 1, 1, 1, 0, 0}; // row 1 has 2 source tokens
    Tensor memory = ops.tensor(mem, b, s, h);
    float[] got =
        attn.forward(ops.tensor(dec, b, t, h), memory, attn.keys(memory), LuongAttention.mask(ops, keep, b, s))
            .toFloatArray();
    float[] wa = attn.parameters().get("attention.weight").toFloatArray(); // (H, H) out-in
    float[] wc = attn.parameters().get("combine.weight").toFloatArray(); // (H, 2H)
    float[] bc = attn.parameters().get("combine.bias").toFloatArray();
    double worst = 0;
    for (int r = 0; r < b; r++) {
      for (int i = 0; i < t; i++) {
        double[] score = new double[s];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s; j++) {
          if (keep[r * s + j] == 0) {
            score[j] = Double.NEGATIVE_INFINITY;
            continue;
          }
          double acc = 0;
          for (int o = 0; o < h; o++) {
            double key = 0; // (W_a · h̄_j)_o
            for (int k = 0; k < h; k++) {
              key += wa[o * h + k] * mem[(r * s + j) * h + k];
            }
            acc += dec[(r * t + i) * h + o] * key;
          }
          score[j] = acc;
          max = Math.max(max, acc);
        }
        double z = 0;
        for (int j = 0; j < s; j++) {
          score[j] = Math.exp(score[j] - max);
          z += score[j];
        }
        double[] cat = new double[2 * h];
        for (int j = 0; j < s; j++) {
          for (int k = 0; k < h; k++) {
            cat[k] += score[j] / z * mem[(r * s + j) * h + k];
          }
        }
        for (int k = 0; k < h; k++) {
          cat[h + k] = dec[(r * t + i) * h + k];
        }
        for (int o = 0; o < h; o++) {
          double y = bc[o];
          for (int k = 0; k < 2 * h; k++) {
            y += wc[o * 2 * h + k] * cat[k];
          }
          worst = Math.max(worst, Math.abs(Math.tanh(y) - got[(r * t + i) * h + o]));
        }
      }
    }
    assertEquals(0, worst, 1e-5, "worst difference " + worst);
  }

  @Test
  void luongAttentionGradientsMatchCentralDifferences() {
    int b = 2;
    int t = 2;
    int s = 3;
    int h = 3;
    LuongAttention attn = new LuongAttention(ops, h, new SplittableRandom(SEED));
    Tensor mask = LuongAttention.mask(ops, new int[] {1, 1, 1, 1, 1, 0}, b, s);
    GradientCheck.check(
        "Luong general attention (row 1's source 2 long)",
        ops,
        new float[][] {
          normal(1, b * t * h), normal(2, b * s * h), normal(3, h * h), normal(4, h * 2 * h),
          normal(5, h)
        },
        new int[][] {{b, t, h}, {b, s, h}, {h, h}, {h, 2 * h}, {h}},
        x -> {
          attn.setParameter("attention.weight", x[2]);
          attn.setParameter("combine.weight", x[3]);
          attn.setParameter("combine.bias", x[4]);
          return attn.forward(x[0], x[1], attn.keys(x[1]), mask);
        },
        1e-2,
        1e-2,
        SEED);
  }

  private static RecurrentSeq2SeqConfig config(Cell cell) {
    return new RecurrentSeq2SeqConfig(cell, 12, 5, 6, 2, 0f, 32, 1, 7);
  }

  @ParameterizedTest
  @EnumSource(value = Cell.class, names = {"LSTM", "GRU"})
  void stepByStepDecodingEqualsTeacherForcing(Cell cell) {
    RecurrentSeq2Seq m = new RecurrentSeq2Seq(ops, config(cell));
    assertEquals(RecurrentSeq2Seq.parameterCount(m.config()), m.parameterCount());
    int[] src = {3, 4, 5, 6, 7, 8, 0, 0};
    int[] mask = {1, 1, 1, 1, 1, 1, 0, 0};
    int[] dec = {1, 9, 10, 11, 1, 2, 3, 4};
    float[] full = m.logits(src, mask, ops.ids(dec, 2, 4)).toFloatArray(); // (2, 4, 12)
    DecodingSession session = m.session(src, 2, mask);
    for (int i = 0; i < 4; i++) {
      float[] got = session.step(new int[] {dec[i], dec[4 + i]}, null, 2, null).toFloatArray();
      for (int r = 0; r < 2; r++) {
        for (int k = 0; k < 12; k++) {
          assertEquals(full[(r * 4 + i) * 12 + k], got[r * 12 + k], 1e-5, cell + " row " + r + " step " + i);
        }
      }
    }
    // The padded row alone, unpadded: the same logits.
    float[] alone = m.logits(new int[] {7, 8}, null, ops.ids(new int[] {1, 2, 3, 4}, 1, 4)).toFloatArray();
    for (int k = 0; k < 4 * 12; k++) {
      assertEquals(alone[k], full[4 * 12 + k], 1e-5, "padding changes nothing");
    }
  }

  @Test
  void beamSearchExpandsAndReordersRowsWithTheirSources() {
    RecurrentSeq2Seq m = new RecurrentSeq2Seq(ops, config(Cell.GRU));
    m.train(false, 0);
    int[] a = {3, 4, 5};
    GenerationConfig g = GenerationConfig.beams(6, 3).withStopTokens(2);
    int[] first = new Generator(() -> m.session(a, 1, null)).generate(new int[][] {{1}}, g)[0];
    int[] second =
        new Generator(() -> m.session(new int[] {6, 7}, 1, null)).generate(new int[][] {{1}}, g)[0];
    int[][] batch =
        new Generator(() -> m.session(new int[] {3, 4, 5, 6, 7, 0}, 2, new int[] {1, 1, 1, 1, 1, 0}))
            .generate(new int[][] {{1}, {1}}, g);
    // Each source alone, or both in a padded batch (3 beams each): the same outputs.
    assertArrayEquals(first, batch[0]);
    assertArrayEquals(second, batch[1]);
    assertTrue(first.length > 1, "something was generated");
    // Greedy without the cache (each step a fresh session over all tokens) agrees with it.
    GenerationConfig greedy = GenerationConfig.greedy(6);
    assertArrayEquals(
        new Generator(() -> m.session(a, 1, null)).generate(new int[][] {{1}}, greedy)[0],
        new Generator(() -> m.session(a, 1, null), false).generate(new int[][] {{1}}, greedy)[0]);
  }

  @Test
  void configRoundTripsAndNamesBadFields() {
    RecurrentSeq2SeqConfig c = config(Cell.LSTM);
    assertEquals(c, RecurrentSeq2SeqConfig.fromMap(c.toMap()));
    Map<String, Object> m = new java.util.HashMap<>(c.toMap());
    m.put("attention", "bahdanau");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RecurrentSeq2SeqConfig.fromMap(m));
    assertTrue(e.getMessage().contains("attention 'bahdanau' is not supported"), e.getMessage());
    m.put("attention", "luong-general");
    m.put("decoder_start_token_id", 12);
    e = assertThrows(IllegalArgumentException.class, () -> RecurrentSeq2SeqConfig.fromMap(m));
    assertTrue(e.getMessage().contains("decoder_start_token_id must be in [0, 12), got 12"), e.getMessage());
  }
}
