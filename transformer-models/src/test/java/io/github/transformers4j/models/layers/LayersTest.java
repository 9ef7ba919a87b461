package io.github.transformers4j.models.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Layer;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.nn.Init;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layers one by one, on the cpu backend, against their definitions. */
class LayersTest {
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

  private static Tensor random(long seed, int... dims) {
    return ops.tensor(Init.normal(new SplittableRandom(seed), Shape.of(dims).size(), 1.0), dims);
  }

  @Test
  void sinusoidalEncodingIsThePapersFormula() {
    SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(ops, 50, 16);
    float[] t = pe.forward(ops.ids(new int[] {0, 7, 49}, 3)).toFloatArray();
    for (int r = 0; r < 3; r++) {
      int pos = new int[] {0, 7, 49}[r];
      for (int i = 0; i < 8; i++) {
        double angle = pos / Math.pow(10000, 2.0 * i / 16);
        assertEquals(Math.sin(angle), t[r * 16 + 2 * i], 1e-6, "sin at pos " + pos + ", i " + i);
        assertEquals(Math.cos(angle), t[r * 16 + 2 * i + 1], 1e-6, "cos at pos " + pos + ", i " + i);
      }
    }
    assertTrue(pe.parameters().isEmpty(), "the sinusoids are not parameters");
  }

  @Test
  void rotaryDotProductsDependOnlyOnThePositionDifference() {
    RotaryEmbedding rope = new RotaryEmbedding(ops, 8, 64, 10000.0);
    Tensor q = random(1, 1, 1, 1, 8);
    Tensor k = random(2, 1, 1, 1, 8);
    double first = dot(rope, q, 3, k, 1);
    assertEquals(first, dot(rope, q, 13, k, 11), 1e-5, "q at 13, k at 11 vs q at 3, k at 1");
    assertEquals(first, dot(rope, q, 40, k, 38), 1e-5, "q at 40, k at 38 vs q at 3, k at 1");
    assertNotEquals(first, dot(rope, q, 4, k, 1), 1e-3, "another distance, another product");
    // A rotation keeps the norm.
    float[] x = q.toFloatArray();
    float[] rx = rope.apply(q, ops.ids(new int[] {17}, 1, 1)).toFloatArray();
    assertEquals(norm(x), norm(rx), 1e-5);
    // Position 0 is the identity.
    assertArrayEquals(x, rope.apply(q, ops.ids(new int[] {0}, 1, 1)).toFloatArray(), 1e-7f);
  }

  private static double dot(RotaryEmbedding rope, Tensor q, int pq, Tensor k, int pk) {
    float[] a = rope.apply(q, ops.ids(new int[] {pq}, 1, 1)).toFloatArray();
    float[] b = rope.apply(k, ops.ids(new int[] {pk}, 1, 1)).toFloatArray();
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double norm(float[] a) {
    double s = 0;
    for (float x : a) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  @Test
  void fusedAttentionEqualsTheComposedOneWithMasks() {
    Tensor q = random(3, 2, 3, 5, 8);
    Tensor k = random(4, 2, 3, 9, 8);
    Tensor v = random(5, 2, 3, 9, 8);
    Tensor mask =
        AttentionMasks.padding(ops, new int[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, 2, 9);
    for (boolean causal : new boolean[] {false, true}) {
      float[] fused = new SdpaAttention().attend(ops, q, k, v, mask, causal, 0.35f).toFloatArray();
      float[] eager = new EagerAttention().attend(ops, q, k, v, mask, causal, 0.35f).toFloatArray();
      double d = TestSupport.maxAbsDiff(fused, eager);
      assertTrue(d < 1e-5, "sdpa vs eager, causal " + causal + ": " + d);
    }
  }

  @Test
  void attentionDropoutIsUnbiasedReproducibleAndTheSameOnSdpaAndEager() {
    Tensor q = random(13, 1, 2, 4, 8);
    Tensor k = random(14, 1, 2, 6, 8);
    Tensor v = random(15, 1, 2, 6, 8);
    Tensor mask = AttentionMasks.padding(ops, new int[] {1, 1, 1, 1, 1, 0}, 1, 6);
    float[] plain = new SdpaAttention().attend(ops, q, k, v, mask, true, 0.35f).toFloatArray();
    float p = 0.25f;
    // sdpa falls back to the composed attention under dropout: identical bits to eager.
    float[] sdpa = new SdpaAttention().attend(ops, q, k, v, mask, true, 0.35f, p, 99L).toFloatArray();
    float[] eager = new EagerAttention().attend(ops, q, k, v, mask, true, 0.35f, p, 99L).toFloatArray();
    assertArrayEquals(eager, sdpa);
    assertTrue(TestSupport.maxAbsDiff(plain, sdpa) > 1e-3, "dropout changed nothing");
    float[] again = new SdpaAttention().attend(ops, q, k, v, mask, true, 0.35f, p, 99L).toFloatArray();
    assertArrayEquals(sdpa, again, "same seed, same mask");
    // Inverted dropout keeps the expectation: the mean over many masks approaches the plain output.
    int n = 3000;
    double[] mean = new double[plain.length];
    for (long seed = 0; seed < n; seed++) {
      float[] o = new EagerAttention().attend(ops, q, k, v, mask, true, 0.35f, p, seed).toFloatArray();
      for (int i = 0; i < o.length; i++) {
        mean[i] += o[i] / (double) n;
      }
    }
    for (int i = 0; i < plain.length; i++) {
      // |v| ≲ 3 and the weights' dropout variance is p/(1−p) per term: 5σ of the mean is < 0.15.
      assertEquals(plain[i], mean[i], 0.15, "mean of dropped-out attention at " + i);
    }
  }

  @Test
  void attentionDropoutActsOnlyInTrainingAndAVariantWithoutItFailsClearly() {
    MultiHeadAttention mha =
        new MultiHeadAttention(ops, 8, 2, MultiHeadAttention.Names.BART, new SdpaAttention(), null,
            0.3f, new SplittableRandom(5), 0.5);
    Tensor x = random(16, 1, 5, 8);
    float[] eval = mha.self(x, null, true, null, null).toFloatArray();
    mha.train(true, 7L);
    float[] train1 = mha.self(x, null, true, null, null).toFloatArray();
    float[] train2 = mha.self(x, null, true, null, null).toFloatArray();
    mha.train(true, 7L);
    float[] train1Again = mha.self(x, null, true, null, null).toFloatArray();
    mha.train(false, 0L);
    assertArrayEquals(eval, mha.self(x, null, true, null, null).toFloatArray(), "eval is deterministic");
    assertTrue(TestSupport.maxAbsDiff(eval, train1) > 1e-4, "no dropout in training");
    assertTrue(TestSupport.maxAbsDiff(train1, train2) > 1e-4, "each call draws a fresh mask");
    assertArrayEquals(train1, train1Again, "a training run is reproducible from its seed");

    io.github.transformers4j.api.spi.AttentionProvider noDropout =
        new io.github.transformers4j.api.spi.AttentionProvider() {
          @Override
          public String name() {
            return "plain-plugin";
          }

          @Override
          public Tensor attend(
              Ops o, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale) {
            return o.attention(q, k, v, mask, causal, scale);
          }
        };
    MultiHeadAttention plugin =
        new MultiHeadAttention(ops, 8, 2, MultiHeadAttention.Names.BART, noDropout, null, 0.3f,
            new SplittableRandom(5), 0.5);
    plugin.self(x, null, true, null, null); // evaluation: no dropout asked, works
    plugin.train(true, 1L);
    UnsupportedOperationException e =
        assertThrows(UnsupportedOperationException.class, () -> plugin.self(x, null, true, null, null));
    assertTrue(e.getMessage().contains("'plain-plugin'") && e.getMessage().contains("0.3"),
        e.getMessage());
  }

  @Test
  void paddedKeysAreInvisible() {
    // Attention of one query over [k0 k1 pad] with the pad masked equals attention over [k0 k1].
    MultiHeadAttention mha =
        new MultiHeadAttention(ops, 8, 2, MultiHeadAttention.Names.BART, new SdpaAttention(), null,
            0f, new SplittableRandom(5), 0.5);
    Tensor x = random(6, 1, 3, 8);
    Tensor padded = mha.self(x, AttentionMasks.padding(ops, new int[] {1, 1, 0}, 1, 3), false, null, null);
    Tensor alone = mha.self(ops.slice(x, 1, 0, 2), null, false, null, null);
    double d = TestSupport.maxAbsDiff(alone.toFloatArray(), ops.slice(padded, 1, 0, 2).toFloatArray());
    assertTrue(d < 1e-5, "padded vs unpadded: " + d);
    assertEquals(Shape.of(1, 3, 8), padded.shape());
  }

  @Test
  void linearLayoutsComputeTheSameMapFromTransposedStorage() {
    Linear torch = new Linear(ops, 5, 3, Linear.Layout.OUT_IN, true, new SplittableRandom(1), 1);
    Linear conv = new Linear(ops, 5, 3, Linear.Layout.IN_OUT, true, new SplittableRandom(2), 1);
    Tensor w = torch.parameters().get("weight");
    conv.setParameter("weight", ops.transpose(w, 0, 1));
    conv.setParameter("bias", ops.tensor(new float[] {1, 2, 3}, 3));
    torch.setParameter("bias", ops.tensor(new float[] {1, 2, 3}, 3));
    Tensor x = random(9, 2, 4, 5);
    assertArrayEquals(torch.forward(x).toFloatArray(), conv.forward(x).toFloatArray(), 1e-6f);
    assertEquals(Shape.of(3, 5), w.shape(), "nn.Linear stores (out, in)");
    assertEquals(Shape.of(5, 3), conv.parameters().get("weight").shape(), "Conv1D stores (in, out)");
  }

  @Test
  void feedForwardAppliesTheActivationBetweenTwoProjections() {
    FeedForward relu =
        new FeedForward(ops, 4, 6, io.github.transformers4j.api.Activation.RELU, FeedForward.Names.BART,
            new SplittableRandom(3), 1, 1);
    assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(relu.parameters().keySet()));
    Tensor x = random(4, 1, 2, 4);
    Map<String, Tensor> p = relu.parameters();
    Tensor h = ops.relu(ops.add(ops.matmul(x, p.get("fc1.weight"), false, true), p.get("fc1.bias")));
    Tensor y = ops.add(ops.matmul(h, p.get("fc2.weight"), false, true), p.get("fc2.bias"));
    assertArrayEquals(y.toFloatArray(), relu.forward(x).toFloatArray(), 1e-6f);
  }

  @Test
  void dropoutIsOffInEvaluationAndSeededInTraining() {
    Dropout d = new Dropout(ops, 0.5f);
    Tensor x = random(10, 4, 64);
    assertArrayEquals(x.toFloatArray(), d.forward(x).toFloatArray(), "evaluation: identity");
    d.train(true, 77L);
    float[] a = d.forward(x).toFloatArray();
    float[] b = d.forward(x).toFloatArray();
    d.train(true, 77L);
    assertArrayEquals(a, d.forward(x).toFloatArray(), "same seed, same first mask");
    assertTrue(!java.util.Arrays.equals(a, b), "consecutive calls draw new masks");
    int zeros = 0;
    for (float f : a) {
      zeros += f == 0f ? 1 : 0;
    }
    assertTrue(zeros > 64 && zeros < 192, "about half dropped, got " + zeros + " of 256");
    d.train(false, 0);
    assertArrayEquals(x.toFloatArray(), d.forward(x).toFloatArray());
  }

  @Test
  void namedLayersComeFromTheRegistryAndRejectUnknownOptions() {
    Layer ln = Plugins.layers().forName("layer_norm").create(ops, 6, Map.of("eps", "1e-6"));
    Layer rms = Plugins.layers().forName("rms_norm").create(ops, 6, Map.of());
    Tensor x = random(11, 2, 6);
    float[] y = ln.forward(x).toFloatArray();
    assertEquals(0.0, y[0] + y[1] + y[2] + y[3] + y[4] + y[5], 1e-5, "LayerNorm centers");
    assertEquals(Shape.of(2, 6), rms.forward(x).shape());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Plugins.layers().forName("layer_norm").create(ops, 6, Map.of("epsilon", "1")));
    assertTrue(e.getMessage().contains("epsilon"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Plugins.layers().forName("batch_norm"));
    assertTrue(e.getMessage().contains("layer_norm") && e.getMessage().contains("rms_norm"), e.getMessage());
  }

  @Test
  void standardPluginsAreRegistered() {
    assertTrue(Plugins.attentions().names().containsAll(List.of("sdpa", "eager")), Plugins.attentions().names().toString());
    assertTrue(
        Plugins.architectures().names().containsAll(List.of("gpt2", "bert", "transformer")),
        Plugins.architectures().names().toString());
    assertEquals(List.of(), Plugins.attentions().problems());
  }

  @Test
  void wrongAttentionWidthNamesBothNumbers() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new MultiHeadAttention(ops, 384, 5, MultiHeadAttention.Names.BERT, new SdpaAttention(), null,
                0f, new SplittableRandom(0), 0.02));
    assertEquals("attention width 384 must be divisible by heads 5", e.getMessage());
  }
}
