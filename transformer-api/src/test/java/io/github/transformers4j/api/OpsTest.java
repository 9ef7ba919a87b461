package io.github.transformers4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

class OpsTest {
  private final Ops ops = new Ops(new ReferenceBackend());

  @Test
  void shapeMismatchNamesTheOpAndBothShapes() {
    Tensor a = ops.zeros(2, 3);
    Tensor b = ops.zeros(4, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.matmul(a, b));
    assertTrue(e.getMessage().startsWith("matmul"), e.getMessage());
    assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(4, 5)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.add(ops.zeros(2, 3), ops.zeros(4)));
    assertEquals("add: shapes (2, 3) and (4) do not broadcast", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ops.layerNorm(ops.zeros(2, 3), ops.zeros(4), ops.zeros(3), 1e-5f));
    assertTrue(e.getMessage().contains("layer_norm") && e.getMessage().contains("(4)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.reshape(ops.zeros(2, 3), 4, 2));
    assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(4, 2)"), e.getMessage());
  }

  @Test
  void tensorsFromAnotherBackendAreRejected() {
    Ops other = new Ops(new ReferenceBackend());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ops.add(ops.zeros(2), other.zeros(2)));
    assertTrue(e.getMessage().contains("add"), e.getMessage());
  }

  @Test
  void closedTensorsAndWrongDtypesAreRejected() {
    Tensor t = ops.zeros(2);
    t.close();
    assertThrows(IllegalStateException.class, () -> ops.exp(t));
    Tensor ids = ops.ids(new int[] {1, 2}, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.exp(ids));
    assertTrue(e.getMessage().contains("I32"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ops.tensor(new float[3], 2, 2));
    assertTrue(e.getMessage().contains("(2, 2)"), e.getMessage());
  }

  @Test
  void embeddingRejectsIdsOutsideTheVocabulary() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ops.embedding(ops.zeros(4, 2), ops.ids(new int[] {1, 4}, 2)));
    assertTrue(e.getMessage().contains("id 4"), e.getMessage());
  }

  @Test
  void onlyOpsOnWatchedTensorsAreRecorded() {
    Tensor w = ops.tensor(new float[] {1, 2}, 2);
    Tensor c = ops.tensor(new float[] {3, 4}, 2);
    try (Tape tape = ops.record()) {
      tape.watch(w);
      ops.exp(c); // constant: not recorded
      Tensor loss = ops.sumAll(ops.mul(w, c));
      assertEquals(3, tape.size(), "mul, reshape, sum");
      Gradients g = tape.backward(loss);
      assertEquals(java.util.List.of(3f, 4f), java.util.List.of(g.get(w).toFloatArray()[0], g.get(w).toFloatArray()[1]));
      assertNull(g.get(c));
    }
    assertNull(ops.tape(), "closing the tape detaches it");
  }

  @Test
  void gradientsAccumulateOverReuse() {
    Tensor x = ops.tensor(new float[] {2}, 1);
    try (Tape tape = ops.record()) {
      tape.watch(x);
      // y = x·x + x → dy/dx = 2x + 1 = 5
      Tensor y = ops.sumAll(ops.add(ops.mul(x, x), x));
      assertEquals(5f, tape.backward(y).get(x).item(), 1e-6);
    }
  }

  @Test
  void maxAndAbsRefuseTrackedInputs() {
    Tensor x = ops.tensor(new float[] {1, -2}, 2);
    try (Tape tape = ops.record()) {
      tape.watch(x);
      assertThrows(IllegalStateException.class, () -> ops.max(x, 0, false));
      assertThrows(IllegalStateException.class, () -> ops.abs(x));
    }
    assertEquals(1f, ops.max(x, 0, false).item());
  }

  @Test
  void backwardNeedsAScalar() {
    Tensor x = ops.tensor(new float[] {1, 2}, 2);
    try (Tape tape = ops.record()) {
      tape.watch(x);
      Tensor y = ops.exp(x);
      assertThrows(IllegalArgumentException.class, () -> tape.backward(y));
    }
  }

  @Test
  void aSecondTapeIsRefusedWhileOneRecords() {
    try (Tape tape = ops.record()) {
      assertThrows(IllegalStateException.class, ops::record);
    }
  }

  @Test
  void positionsAreMadeOncePerShapeAndCountFromZeroInEachRow() {
    Tensor p = ops.positions(2, 3);
    org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2}, p.toIntArray());
    org.junit.jupiter.api.Assertions.assertEquals(Shape.of(2, 3), p.shape());
    org.junit.jupiter.api.Assertions.assertSame(p, ops.positions(2, 3), "kept for the same shape");
    org.junit.jupiter.api.Assertions.assertNotSame(p, ops.positions(3, 2));
    p.close(); // a caller that closes it by mistake gets a fresh one next time
    Tensor again = ops.positions(2, 3);
    org.junit.jupiter.api.Assertions.assertFalse(again.isClosed());
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        new int[] {0, 1, 2, 0, 1, 2}, again.toIntArray());
    for (int t = 1; t <= 40; t++) { // past the cache's size it starts over, still correct
      org.junit.jupiter.api.Assertions.assertEquals(t - 1, ops.positions(1, t).toIntArray()[t - 1]);
    }
    var e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> ops.positions(0, 4));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("positions"), e.getMessage());
  }
}
