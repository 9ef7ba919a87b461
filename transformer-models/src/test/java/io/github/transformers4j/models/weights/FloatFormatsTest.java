package io.github.transformers4j.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.DType;
import org.junit.jupiter.api.Test;

class FloatFormatsTest {

  @Test
  void everyHalfSurvivesTheRoundTrip() {
    for (int h = 0; h < 0x10000; h++) {
      float f = DType.f16ToFloat((short) h);
      short back = FloatFormats.floatToF16(f);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(DType.f16ToFloat(back)), "NaN lost: 0x" + Integer.toHexString(h));
      } else {
        assertEquals((short) h, back, "half 0x" + Integer.toHexString(h) + " = " + f);
      }
    }
  }

  @Test
  void halvesRoundToNearestEvenBetweenNeighbours() {
    // Between each pair of adjacent finite halves: the midpoint goes to the even one, a float just
    // below or above it to the nearer one. Both signs, subnormals included.
    for (int sign : new int[] {0, 0x8000}) {
      for (int h = 0; h < 0x7bff; h++) {
        float lo = DType.f16ToFloat((short) (sign | h));
        float hi = DType.f16ToFloat((short) (sign | (h + 1)));
        float mid = (float) (((double) lo + hi) / 2); // exact: 12 significant bits at most
        int even = (h & 1) == 0 ? h : h + 1;
        assertEquals((short) (sign | even), FloatFormats.floatToF16(mid), "midpoint after " + h);
        assertEquals((short) (sign | h), FloatFormats.floatToF16(towardZero(mid)), "below " + h);
        assertEquals((short) (sign | (h + 1)), FloatFormats.floatToF16(awayFromZero(mid)));
      }
    }
  }

  @Test
  void halfOverflowAndUnderflow() {
    assertEquals(65504f, DType.f16ToFloat(FloatFormats.floatToF16(65519.99f)));
    assertEquals(Float.POSITIVE_INFINITY, DType.f16ToFloat(FloatFormats.floatToF16(65520f)));
    assertEquals(Float.NEGATIVE_INFINITY, DType.f16ToFloat(FloatFormats.floatToF16(-1e9f)));
    assertEquals(0x0000, FloatFormats.floatToF16(0x1p-25f)); // tie between 0 and 2^-24: even
    assertEquals(0x0001, FloatFormats.floatToF16(Math.nextUp(0x1p-25f)));
    assertEquals((short) 0x8000, FloatFormats.floatToF16(-Float.MIN_VALUE));
  }

  @Test
  void bfloat16RoundsToNearestEven() {
    for (int b = 0; b < 0x7f7f; b += 7) {
      float lo = DType.bf16ToFloat((short) b);
      float hi = DType.bf16ToFloat((short) (b + 1));
      float mid = Float.intBitsToFloat((b << 16) | 0x8000);
      assertEquals((short) b, FloatFormats.floatToBf16(lo));
      assertEquals((short) ((b & 1) == 0 ? b : b + 1), FloatFormats.floatToBf16(mid));
      assertEquals((short) (b + 1), FloatFormats.floatToBf16(Math.nextUp(mid)));
      assertEquals((short) (b + 1), FloatFormats.floatToBf16(hi));
    }
    assertTrue(Float.isNaN(DType.bf16ToFloat(FloatFormats.floatToBf16(Float.NaN))));
    // A NaN whose payload lives only in the low 16 bits must not become infinity.
    assertTrue(Float.isNaN(DType.bf16ToFloat(FloatFormats.floatToBf16(Float.intBitsToFloat(0x7f800001)))));
    assertEquals(Float.POSITIVE_INFINITY, DType.bf16ToFloat(FloatFormats.floatToBf16(Float.MAX_VALUE)));
  }

  private static float towardZero(float x) {
    return x > 0 ? Math.nextDown(x) : Math.nextUp(x);
  }

  private static float awayFromZero(float x) {
    return x > 0 ? Math.nextUp(x) : Math.nextDown(x);
  }
}
