package io.github.transformers4j.models.rnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.rnn.RecurrentLmConfig.Cell;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The recurrent LM's contracts: the parameter count formula against the built model, sizing to a
 * target, incremental decoding equal to the full forward (also over left padding and reordered
 * rows), the folder round trip through {@link Pretrained}, and config errors.
 */
class RecurrentLmTest {
  private static final float TOL = 1e-5f;
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

  private static int[] ids(long seed, int n, int v) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextInt(v);
    }
    return a;
  }

  @ParameterizedTest
  @EnumSource(Cell.class)
  void parameterCountMatchesTheBuiltModel(Cell cell) {
    for (int layers = 1; layers <= 3; layers++) {
      RecurrentLmConfig c = RecurrentLmConfig.of(cell, 13, 7, 9, layers);
      assertEquals(new RecurrentLm(ops, c).parameterCount(), RecurrentLm.parameterCount(c), cell + " L" + layers);
    }
  }

  @Test
  void sizedForPicksTheNearestHiddenWidth() {
    RecurrentLmConfig base = RecurrentLmConfig.of(Cell.LSTM, 65, 64, 1, 2);
    long target = 800_000;
    RecurrentLmConfig c = RecurrentLm.sizedFor(base, target);
    long at = RecurrentLm.parameterCount(c);
    long below = RecurrentLm.parameterCount(c.withHiddenSize(c.hiddenSize() - 1));
    long above = RecurrentLm.parameterCount(c.withHiddenSize(c.hiddenSize() + 1));
    assertTrue(Math.abs(at - target) <= Math.abs(below - target), at + " vs " + below);
    assertTrue(Math.abs(at - target) <= Math.abs(above - target), at + " vs " + above);
    assertEquals(base.withHiddenSize(c.hiddenSize()), c);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RecurrentLm.sizedFor(base, 100));
    assertTrue(e.getMessage().contains("the target 100 is smaller"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Cell.class)
  void incrementalDecodingEqualsTheFullForward(Cell cell) {
    int v = 11;
    RecurrentLm lm = new RecurrentLm(ops, new RecurrentLmConfig(cell, v, 6, 8, 2, 0f, 3));
    int b = 2;
    int t = 7;
    int[] x = ids(5, b * t, v);
    float[] full = lm.logits(x, null, b).toFloatArray(); // (B, T, V)
    RecurrentLm.Session s = lm.session();
    // A prompt of 3 tokens, then one at a time.
    int[] prompt = new int[b * 3];
    for (int r = 0; r < b; r++) {
      System.arraycopy(x, r * t, prompt, r * 3, 3);
    }
    float[] got = s.step(prompt, null, b, null).toFloatArray();
    assertRow(full, got, b, t, 2, v);
    for (int i = 3; i < t; i++) {
      got = s.step(new int[] {x[i], x[t + i]}, null, b, null).toFloatArray();
      assertRow(full, got, b, t, i, v);
    }
    assertEquals(t, s.length());
    long perRow = 4L * 2 * 8 * (cell == Cell.LSTM ? 2 : 1);
    assertEquals(b * perRow, s.stateBytes(), "state of L·B·H floats (h and, for the LSTM, c)");
  }

  private static void assertRow(float[] full, float[] last, int b, int t, int at, int v) {
    for (int r = 0; r < b; r++) {
      for (int k = 0; k < v; k++) {
        assertEquals(full[(r * t + at) * v + k], last[r * v + k], TOL, "row " + r + " step " + at);
      }
    }
  }

  @Test
  void leftPaddingAndRowSelectionKeepEachRowsState() {
    int v = 9;
    RecurrentLm lm = new RecurrentLm(ops, new RecurrentLmConfig(Cell.LSTM, v, 5, 6, 2, 0f, 11));
    int[] a = {1, 2, 3, 4};
    int[] c = {5, 6};
    // Alone, unpadded.
    float[] aLast = lm.session().step(a, null, 1, null).toFloatArray();
    float[] cLast = lm.session().step(c, null, 1, null).toFloatArray();
    // Together, c left-padded with 0s, masked out.
    RecurrentLm.Session s = lm.session();
    float[] both =
        s.step(new int[] {1, 2, 3, 4, 0, 0, 5, 6}, null, 2, new int[] {1, 1, 1, 1, 0, 0, 1, 1})
            .toFloatArray();
    for (int k = 0; k < v; k++) {
      assertEquals(aLast[k], both[k], TOL);
      assertEquals(cLast[k], both[v + k], TOL);
    }
    // Swap the rows, then feed one more token each: as if each were alone.
    s.selectRows(new int[] {1, 0});
    float[] next = s.step(new int[] {7, 8}, null, 2, null).toFloatArray();
    float[] aNext = lm.session().step(new int[] {1, 2, 3, 4, 8}, null, 1, null).toFloatArray();
    float[] cNext = lm.session().step(new int[] {5, 6, 7}, null, 1, null).toFloatArray();
    for (int k = 0; k < v; k++) {
      assertEquals(cNext[k], next[k], TOL);
      assertEquals(aNext[k], next[v + k], TOL);
    }
  }

  @Test
  void rightPaddedLogitsEqualEachRowAlone() {
    int v = 8;
    RecurrentLm lm = new RecurrentLm(ops, new RecurrentLmConfig(Cell.GRU, v, 4, 5, 2, 0f, 2));
    float[] padded =
        lm.logits(new int[] {1, 2, 3, 4, 0, 0}, new int[] {1, 1, 1, 1, 0, 0}, 2).toFloatArray();
    float[] alone = lm.logits(new int[] {4}, null, 1).toFloatArray();
    for (int k = 0; k < v; k++) {
      assertEquals(alone[k], padded[3 * v + k], TOL);
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> lm.logits(new int[] {1, 2, 0, 3}, new int[] {1, 0, 0, 1}, 1));
    assertTrue(e.getMessage().contains("right-padded"), e.getMessage());
  }

  @Test
  void folderRoundTripThroughPretrained(@TempDir Path dir) throws Exception {
    RecurrentLmConfig c = new RecurrentLmConfig(Cell.GRU, 10, 4, 6, 2, 0.25f, 42);
    RecurrentLm lm = new RecurrentLm(ops, c);
    lm.save(dir);
    PretrainedModel any = Pretrained.load(ops, dir);
    assertTrue(any instanceof RecurrentLm, any.getClass().getName());
    RecurrentLm back = (RecurrentLm) any;
    assertEquals(c, back.config());
    int[] x = ids(9, 12, 10);
    assertArrayEquals(lm.logits(x, null, 2).toFloatArray(), back.logits(x, null, 2).toFloatArray());
    // Seeded sampling is deterministic and the same on the reloaded model.
    GenerationConfig g = GenerationConfig.sampling(8, 77).withTemperature(0.9f).withTopK(5);
    int[] one = new Generator(lm::session).generate(new int[][] {{1, 2}}, g)[0];
    int[] two = new Generator(back::session).generate(new int[][] {{1, 2}}, g)[0];
    assertArrayEquals(one, two);
    assertEquals(10, one.length);
  }

  @Test
  void configErrorsNameTheField() {
    Map<String, Object> m = new java.util.HashMap<>(RecurrentLmConfig.of(Cell.LSTM, 5, 4, 3, 1).toMap());
    assertEquals(RecurrentLmConfig.of(Cell.LSTM, 5, 4, 3, 1), RecurrentLmConfig.fromMap(m));
    m.put("cell_type", "transformer");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RecurrentLmConfig.fromMap(m));
    assertTrue(e.getMessage().contains("unknown recurrent cell 'transformer' (known: rnn, rnn_relu, lstm, gru)"), e.getMessage());
    m.put("cell_type", "gru");
    m.put("hidden_size", 0);
    e = assertThrows(IllegalArgumentException.class, () -> RecurrentLmConfig.fromMap(m));
    assertTrue(e.getMessage().contains("hidden_size must be in [1, "), e.getMessage());
    Tensor ids1 = ops.ids(new int[] {1, 2, 3}, 3);
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RecurrentLm(ops, RecurrentLmConfig.of(Cell.GRU, 5, 4, 3, 1)).forward(ids1, null, null));
    assertTrue(e.getMessage().contains("expected ids (B, T)"), e.getMessage());
  }
}
