package io.github.transformers4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ShapeTest {
  @Test
  void basics() {
    Shape s = Shape.of(2, 3, 4);
    assertEquals(3, s.rank());
    assertEquals(24, s.size());
    assertEquals(4, s.dim(-1));
    assertArrayEquals(new int[] {12, 4, 1}, s.strides());
    assertEquals("(2, 3, 4)", s.toString());
    assertEquals(Shape.of(2, 4), s.without(1));
    assertEquals(1, Shape.scalar().size());
    assertEquals("()", Shape.scalar().toString());
  }

  @Test
  void broadcasting() {
    assertEquals(Shape.of(2, 3, 4), Shape.broadcast(Shape.of(2, 1, 4), Shape.of(3, 1)));
    assertNull(Shape.broadcast(Shape.of(2, 3), Shape.of(4)));
  }

  @Test
  void badShapesFailWithTheShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
    assertEquals("shape [2, -1]: dimension 1 is negative", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 3).dim(2));
    assertEquals("axis 2 is out of range for shape (2, 3)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Shape.of(1 << 16, 1 << 16));
  }

  @Test
  void halfPrecisionConversions() {
    assertEquals(1.0f, DType.f16ToFloat((short) 0x3c00));
    assertEquals(-2.0f, DType.f16ToFloat((short) 0xc000));
    assertEquals(65504f, DType.f16ToFloat((short) 0x7bff));
    assertEquals(0x1p-24f, DType.f16ToFloat((short) 0x0001));
    assertEquals(Float.POSITIVE_INFINITY, DType.f16ToFloat((short) 0x7c00));
    assertEquals(true, Float.isNaN(DType.f16ToFloat((short) 0x7e00)));
    assertEquals(1.0f, DType.bf16ToFloat((short) 0x3f80));
    assertEquals(-0.5f, DType.bf16ToFloat((short) 0xbf00));
  }
}
