package io.github.transformers4j.models.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.conformance.GradientCheck;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.nn.Init;
import java.nio.file.Files;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * T5's relative position buckets against Hugging Face's ({@code testdata/t5}), the bias tensor
 * against its definition, and attention with a learned additive bias: the folded (inference) and
 * composed (training) paths agree, and the bias, q, k and v get their gradients.
 */
class RelativePositionBiasTest {
  private static final long SEED = 0x7E5L;
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

  @Test
  void bucketsMatchHuggingFaceForEveryDistance() throws Exception {
    JsonObject root =
        JsonParser.parseString(
                Files.readString(TestSupport.shared("t5/relative_position_buckets.json")))
            .getAsJsonObject();
    int checked = 0;
    for (JsonElement e : root.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      boolean bidirectional = c.get("bidirectional").getAsBoolean();
      int buckets = c.get("num_buckets").getAsInt();
      int distance = c.get("max_distance").getAsInt();
      int first = c.get("first_relative_position").getAsInt();
      JsonArray expected = c.getAsJsonArray("buckets");
      for (int i = 0; i < expected.size(); i++) {
        int rel = first + i;
        assertEquals(
            expected.get(i).getAsInt(),
            RelativePositionBias.bucket(rel, bidirectional, buckets, distance),
            "bucket of "
                + rel
                + " (bidirectional "
                + bidirectional
                + ", "
                + buckets
                + " buckets, max distance "
                + distance
                + ")");
        checked++;
      }
    }
    assertTrue(checked > 6000, "checked " + checked + " distances");
  }

  @Test
  void biasHoldsEachHeadsEntryOfTheBucketOfEachDistance() {
    int buckets = 8;
    int heads = 3;
    RelativePositionBias rpb =
        new RelativePositionBias(ops, buckets, 20, heads, false, new SplittableRandom(SEED), 1.0);
    float[] table = rpb.parameters().get("weight").toFloatArray(); // (buckets, nh)
    // Two rows at different offsets (a cache of 4 and of 9 tokens), one query each.
    int[] q = {4, 9};
    int[] k = new int[2 * 10];
    for (int r = 0; r < 2; r++) {
      for (int j = 0; j < 10; j++) {
        k[r * 10 + j] = q[r] - 9 + j;
      }
    }
    Tensor bias = rpb.forward(q, k, 2);
    assertEquals(Shape.of(2, heads, 1, 10), bias.shape());
    float[] b = bias.toFloatArray();
    for (int r = 0; r < 2; r++) {
      for (int h = 0; h < heads; h++) {
        for (int j = 0; j < 10; j++) {
          int bucket = RelativePositionBias.bucket(k[r * 10 + j] - q[r], false, buckets, 20);
          assertEquals(
              table[bucket * heads + h],
              b[(r * heads + h) * 10 + j],
              0f,
              "row " + r + " head " + h + " key " + j);
        }
      }
    }
  }

  private static float[] normal(long seed, int n) {
    return Init.normal(new SplittableRandom(seed), n, 1.0);
  }

  @Test
  void foldedAndComposedBiasPathsAgree() {
    int b = 2, nh = 3, tq = 5, tk = 7, hs = 6;
    Tensor q = ops.tensor(normal(1, b * nh * tq * hs), b, nh, tq, hs);
    Tensor k = ops.tensor(normal(2, b * nh * tk * hs), b, nh, tk, hs);
    Tensor v = ops.tensor(normal(3, b * nh * tk * hs), b, nh, tk, hs);
    Tensor bias = ops.tensor(normal(4, nh * tq * tk), 1, nh, tq, tk);
    Tensor mask =
        AttentionMasks.padding(ops, new int[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, b, tk);
    for (AttentionProvider a :
        new AttentionProvider[] {new SdpaAttention(), new EagerAttention()}) {
      for (boolean causal : new boolean[] {false, true}) {
        float[] folded =
            a.attendWithBias(ops, q, k, v, bias, mask, causal, 0.7f, 0f, 0L).toFloatArray();
        float[] composed;
        try (Tape tape = ops.record()) {
          tape.watch(bias);
          composed =
              a.attendWithBias(ops, q, k, v, bias, mask, causal, 0.7f, 0f, 0L).toFloatArray();
        }
        double d = TestSupport.maxAbsDiff(folded, composed);
        assertTrue(
            d <= 1e-5, a.name() + " causal " + causal + ": folded vs composed differ by " + d);
      }
    }
  }

  @Test
  void biasQueriesKeysAndValuesGetTheirGradients() {
    int b = 2, nh = 2, tq = 3, tk = 4, hs = 5;
    Tensor mask = AttentionMasks.padding(ops, new int[] {1, 1, 1, 1, 0, 1, 1, 1}, b, tk);
    AttentionProvider sdpa = new SdpaAttention();
    GradientCheck.check(
        "attendWithBias",
        ops,
        new float[][] {
          normal(5, b * nh * tq * hs),
          normal(6, b * nh * tk * hs),
          normal(7, b * nh * tk * hs),
          normal(8, nh * tq * tk)
        },
        new int[][] {{b, nh, tq, hs}, {b, nh, tk, hs}, {b, nh, tk, hs}, {1, nh, tq, tk}},
        x -> sdpa.attendWithBias(ops, x[0], x[1], x[2], x[3], mask, true, 1f, 0f, 0L),
        1e-2,
        1e-2,
        SEED);
  }

  @Test
  void theTableReceivesTheGradientThroughTheBias() {
    RelativePositionBias rpb =
        new RelativePositionBias(ops, 8, 20, 2, true, new SplittableRandom(SEED), 1.0);
    Tensor table = rpb.parameters().get("weight");
    int[] pos = {0, 1, 2, 3};
    Gradients g;
    try (Tape tape = ops.record()) {
      tape.watch(table);
      g = tape.backward(ops.sumAll(rpb.forward(pos, pos, 1)));
    }
    Tensor grad = g.get(table);
    assertNotNull(grad, "no gradient reached the bucket table");
    // d(sum)/d(table[bucket, h]) counts the (query, key) pairs that fall in the bucket.
    float[] expected = new float[8 * 2];
    for (int i : pos) {
      for (int j : pos) {
        int bucket = RelativePositionBias.bucket(j - i, true, 8, 20);
        expected[bucket * 2] += 1;
        expected[bucket * 2 + 1] += 1;
      }
    }
    assertArrayEquals(expected, grad.toFloatArray(), 0f);
  }
}
