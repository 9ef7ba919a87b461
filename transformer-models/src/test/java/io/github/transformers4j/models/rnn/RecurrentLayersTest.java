package io.github.transformers4j.models.rnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.conformance.GradientCheck;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.SafeTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Properties of the recurrent layers that need no PyTorch reference: autograd against central
 * differences for each cell (input, initial states and weights, with variable lengths), dropout
 * between layers (training only, seeded, the backward reusing the forward's mask), PyTorch's
 * initialization and names, and the errors for bad shapes and settings.
 */
class RecurrentLayersTest {
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
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  private static RecurrentLayer make(String kind, RecurrentConfig config, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    return switch (kind) {
      case "rnn" -> new Rnn(ops, config, Rnn.Nonlinearity.TANH, rng);
      case "lstm" -> new Lstm(ops, config, rng);
      default -> new Gru(ops, config, rng);
    };
  }

  /** The output and the final states flattened into one vector, so one check covers all three. */
  private static Tensor everything(RecurrentOutput o) {
    List<Tensor> parts = new ArrayList<>();
    parts.add(ops.reshape(o.output(), -1));
    parts.add(ops.reshape(o.hN(), -1));
    if (o.cN() != null) {
      parts.add(ops.reshape(o.cN(), -1));
    }
    return ops.concat(parts, 0);
  }

  private static void gradientCheck(String kind) {
    // B 2, T 3, I 2, H 2, one bidirectional layer; the second row is 1 step long.
    RecurrentConfig config = RecurrentConfig.of(2, 2).withBidirectional(true);
    RecurrentLayer layer = make(kind, config, SEED);
    boolean lstm = kind.equals("lstm");
    int g = lstm ? 4 : kind.equals("gru") ? 3 : 1;
    int[] lengths = {3, 1};
    Function<Tensor[], Tensor> f =
        x -> {
          layer.setParameter("weight_hh_l0", x[2]);
          layer.setParameter("weight_ih_l0_reverse", x[3]);
          layer.setParameter("bias_hh_l0_reverse", x[4]);
          return everything(layer.forward(x[0], x[1], lstm ? x[5] : null, lengths));
        };
    List<float[]> in = new ArrayList<>(List.of(
        normal(1, 12), normal(2, 8), normal(3, g * 4), normal(4, g * 4), normal(5, g * 2)));
    List<int[]> shapes = new ArrayList<>(List.of(
        new int[] {2, 3, 2}, new int[] {2, 2, 2}, new int[] {g * 2, 2}, new int[] {g * 2, 2},
        new int[] {g * 2}));
    if (lstm) {
      in.add(normal(6, 8));
      shapes.add(new int[] {2, 2, 2});
    }
    GradientCheck.check(
        kind + " (bidirectional, lengths 3 and 1)", ops, in.toArray(new float[0][]),
        shapes.toArray(new int[0][]), f, 1e-2, 1e-2, SEED);
  }

  @Test
  void rnnGradientsMatchCentralDifferences() {
    gradientCheck("rnn");
  }

  @Test
  void lstmGradientsMatchCentralDifferences() {
    gradientCheck("lstm");
  }

  @Test
  void gruGradientsMatchCentralDifferences() {
    gradientCheck("gru");
  }

  @Test
  void aRowInAPaddedBatchGivesWhatItGivesAlone() {
    // Independent of the PyTorch fixtures: the padding's content must not leak into a row.
    RecurrentConfig config = RecurrentConfig.of(3, 4).withLayers(2).withBidirectional(true);
    for (String kind : List.of("rnn", "lstm", "gru")) {
      RecurrentLayer layer = make(kind, config, SEED);
      int[] lengths = {5, 2, 4};
      float[] x = normal(7, 3 * 5 * 3);
      RecurrentOutput batch = layer.forward(ops.tensor(x, 3, 5, 3), null, null, lengths);
      float[] out = batch.output().toFloatArray();
      float[] hN = batch.hN().toFloatArray();
      for (int row = 0; row < 3; row++) {
        int len = lengths[row];
        float[] alone = new float[len * 3];
        System.arraycopy(x, row * 15, alone, 0, len * 3);
        RecurrentOutput single = layer.forward(ops.tensor(alone, 1, len, 3));
        float[] so = single.output().toFloatArray();
        for (int t = 0; t < 5; t++) {
          for (int j = 0; j < 8; j++) {
            float got = out[(row * 5 + t) * 8 + j];
            if (t < len) {
              assertEquals(so[t * 8 + j], got, 1e-6, kind + " row " + row + " step " + t);
            } else {
              assertEquals(0f, got, 0f, kind + " row " + row + ": output past its length " + len);
            }
          }
        }
        float[] sh = single.hN().toFloatArray();
        for (int k = 0; k < 4; k++) {
          for (int j = 0; j < 4; j++) {
            assertEquals(sh[k * 4 + j], hN[(k * 3 + row) * 4 + j], 1e-6, kind + " h_n[" + k + "] row " + row);
          }
        }
      }
    }
  }

  @Test
  void dropoutActsBetweenLayersOnlyInTrainingAndIsSeeded() {
    RecurrentConfig base = RecurrentConfig.of(3, 4).withLayers(2).withBidirectional(true);
    Lstm plain = new Lstm(ops, base, new SplittableRandom(SEED));
    Lstm dropped = new Lstm(ops, base.withDropout(0.5f), new SplittableRandom(SEED));
    Tensor x = ops.tensor(normal(8, 2 * 6 * 3), 2, 6, 3);
    float[] reference = plain.forward(x).output().toFloatArray();
    assertArrayEquals(reference, dropped.forward(x).output().toFloatArray(), "evaluation: no dropout");

    dropped.train(true, 11);
    float[] a = dropped.forward(x).output().toFloatArray();
    dropped.train(true, 11);
    float[] again = dropped.forward(x).output().toFloatArray();
    dropped.train(true, 12);
    float[] other = dropped.forward(x).output().toFloatArray();
    assertArrayEquals(a, again, "the same training seed gives the same masks");
    assertFalse(TestSupport.maxAbsDiff(reference, a) < 1e-3, "training with p 0.5 changes the output");
    assertFalse(TestSupport.maxAbsDiff(a, other) < 1e-3, "another seed gives other masks");

    // One layer: nothing lies between layers, so training changes nothing.
    Lstm single = new Lstm(ops, RecurrentConfig.of(3, 4).withDropout(0.5f), new SplittableRandom(SEED));
    float[] eval = single.forward(x).output().toFloatArray();
    single.train(true, 11);
    assertArrayEquals(eval, single.forward(x).output().toFloatArray(), "one layer: no dropout");

    // The backward reuses the forward's mask: the gradient matches central differences when each
    // forward replays the same seed.
    RecurrentConfig two = RecurrentConfig.of(3, 4).withLayers(2).withDropout(0.5f);
    Gru gru = new Gru(ops, two, new SplittableRandom(SEED));
    GradientCheck.check(
        "2-layer GRU with dropout 0.5 in training",
        ops,
        new float[][] {normal(9, 2 * 3 * 3)},
        new int[][] {{2, 3, 3}},
        in -> {
          gru.train(true, 5);
          return everything(gru.forward(in[0]));
        },
        1e-2,
        1e-2,
        SEED);
  }

  @Test
  void parametersHavePyTorchNamesShapesAndInitialization() {
    RecurrentConfig config = RecurrentConfig.of(5, 16).withLayers(2).withBidirectional(true);
    Lstm lstm = new Lstm(ops, config, new SplittableRandom(SEED));
    Map<String, Tensor> p = lstm.parameters();
    List<String> expected = new ArrayList<>();
    for (int l = 0; l < 2; l++) {
      for (String sfx : List.of("", "_reverse")) {
        for (String n : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")) {
          expected.add(n + "_l" + l + sfx);
        }
      }
    }
    assertEquals(expected, new ArrayList<>(p.keySet()), "torch.nn.LSTM's state-dict order");
    assertArrayEquals(new int[] {64, 5}, p.get("weight_ih_l0").shape().dims(), "(4H, input_size)");
    assertArrayEquals(new int[] {64, 32}, p.get("weight_ih_l1").shape().dims(), "(4H, 2H) above layer 0");
    assertArrayEquals(new int[] {64, 16}, p.get("weight_hh_l1_reverse").shape().dims(), "(4H, H)");
    double bound = 1 / Math.sqrt(16);
    double largest = 0;
    for (Tensor t : p.values()) {
      for (float v : t.toFloatArray()) {
        assertTrue(Math.abs(v) <= bound, "U(-1/sqrt(H), 1/sqrt(H)): " + v);
        largest = Math.max(largest, Math.abs(v));
      }
    }
    assertTrue(largest > 0.9 * bound, "draws fill the range, largest " + largest);
    Lstm twin = new Lstm(ops, config, new SplittableRandom(SEED));
    assertArrayEquals(p.get("weight_hh_l1_reverse").toFloatArray(),
        twin.parameters().get("weight_hh_l1_reverse").toFloatArray(), "the same seed, the same weights");
    assertEquals(List.of("weight_ih_l0", "weight_hh_l0"),
        new ArrayList<>(new Gru(ops, RecurrentConfig.of(2, 3).withBias(false), new SplittableRandom(1))
            .parameters().keySet()), "bias=False has no bias tensors");
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void badShapesAndSettingsFailNamingTheThing() {
    RecurrentConfig config = RecurrentConfig.of(3, 4).withLayers(2);
    Gru gru = new Gru(ops, config, new SplittableRandom(SEED));
    Lstm lstm = new Lstm(ops, config, new SplittableRandom(SEED));
    Tensor x = ops.tensor(normal(1, 2 * 5 * 3), 2, 5, 3);
    assertTrue(message(() -> gru.forward(ops.tensor(normal(1, 8), 2, 2, 2)))
        .contains("GRU input: expected (B, T, input_size 3)"));
    assertTrue(message(() -> gru.forward(ops.tensor(normal(1, 6), 2, 3))).contains("GRU input"));
    String h0 = message(() -> gru.forward(x, ops.zeros(1, 2, 4), null, null));
    assertTrue(h0.contains("initial state h0: expected shape") && h0.contains("got"), h0);
    assertTrue(message(() -> gru.forward(x, null, ops.zeros(2, 2, 4), null))
        .contains("only an LSTM has a cell state"));
    assertTrue(message(() -> lstm.forward(x, null, ops.zeros(2, 3, 4), null)).contains("initial state c0"));
    assertTrue(message(() -> gru.forward(x, null, null, new int[] {5}))
        .contains("lengths: expected one per batch row (2)"));
    String len = message(() -> gru.forward(x, null, null, new int[] {5, 6}));
    assertTrue(len.contains("row 1 has length 6") && len.contains("[1, 5]"), len);
    assertTrue(message(() -> gru.forward(x, null, null, new int[] {0, 5})).contains("row 0 has length 0"));
    assertTrue(message(() -> RecurrentConfig.of(0, 4)).contains("input_size"));
    assertTrue(message(() -> RecurrentConfig.of(3, -1)).contains("hidden_size"));
    assertTrue(message(() -> config.withLayers(0)).contains("num_layers"));
    assertTrue(message(() -> config.withDropout(1f)).contains("dropout"));
    assertTrue(message(() -> new Rnn(ops, config, null, new SplittableRandom(1))).contains("nonlinearity"));
  }

  @Test
  void aCheckpointOfAnotherShapeIsRefusedNamingTheTensor() throws Exception {
    // The fixture's GRU has hidden size 7; a hidden size 6 layer must not take it.
    Gru gru = new Gru(ops, new RecurrentConfig(5, 6, 2, true, true, 0f, true), new SplittableRandom(1));
    try (SafeTensors w = SafeTensors.open(TestSupport.shared("models/rnn/gru.safetensors"))) {
      String m = message(() -> WeightLoader.load(ops, gru, w, "", n -> false));
      assertTrue(m.contains("tensor 'weight_hh_l0': expected shape"), m);
    }
  }
}
