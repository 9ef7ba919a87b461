package io.github.transformers4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.QuantizedWeight.Format;
import io.github.transformers4j.api.conformance.Check;
import io.github.transformers4j.api.reference.ReferenceBackend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuantizedWeightTest {

  @Test
  void int8KeepsEachOutputChannelWithinHalfAStep() {
    SplittableRandom r = Check.random(41);
    for (int[] d : new int[][] {{1, 1}, {3, 13}, {64, 127}, {207, 5}}) {
      int in = d[0];
      int out = d[1];
      float[] w = Check.uniform(r, in * out);
      // Channels of very different magnitude: the per-channel scale follows each.
      for (int j = 0; j < out; j++) {
        for (int p = 0; p < in; p++) {
          w[p * out + j] *= (float) Math.pow(10, (j % 5) - 2);
        }
      }
      QuantizedWeight q = QuantizedWeight.quantize(Format.INT8, w, in, out, false);
      float[] back = q.dequantize();
      for (int j = 0; j < out; j++) {
        float max = 0;
        for (int p = 0; p < in; p++) {
          max = Math.max(max, Math.abs(w[p * out + j]));
        }
        assertEquals(max / 127f, q.scales()[j], 0f, "scale of channel " + j);
        for (int p = 0; p < in; p++) {
          float err = Math.abs(back[p * out + j] - w[p * out + j]);
          assertTrue(err <= 0.5f * q.scales()[j] * (1 + 1e-5f), "(" + p + ", " + j + "): error " + err);
        }
      }
      assertEquals((long) in * out + 4L * out, q.bytes());
    }
  }

  @Test
  void bothSourceLayoutsGiveTheSameWeight() {
    SplittableRandom r = Check.random(42);
    int in = 13;
    int out = 7;
    float[] inOut = Check.uniform(r, in * out);
    float[] outIn = new float[in * out];
    for (int p = 0; p < in; p++) {
      for (int j = 0; j < out; j++) {
        outIn[j * in + p] = inOut[p * out + j];
      }
    }
    for (Format f : Format.values()) {
      assertEquals(
          QuantizedWeight.quantize(f, inOut, in, out, false),
          QuantizedWeight.quantize(f, outIn, in, out, true),
          f.label());
    }
    float[] channel = new float[in];
    QuantizedWeight q = QuantizedWeight.quantize(Format.INT8, outIn, in, out, true);
    q.dequantizeOutputChannel(3, channel, 0);
    float[] all = q.dequantize();
    for (int p = 0; p < in; p++) {
      assertEquals(all[p * out + 3], channel[p], 0f);
    }
  }

  @Test
  void bf16RoundsToNearestEven() {
    // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1).
    assertEquals(1f, QuantizedWeight.fromBf16(QuantizedWeight.toBf16(1f + 0x1p-8f)), 0f);
    // 1 + 3·2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: even is 1 + 2^-6.
    assertEquals(1f + 0x1p-6f, QuantizedWeight.fromBf16(QuantizedWeight.toBf16(1f + 3 * 0x1p-8f)), 0f);
    assertEquals(1f + 0x1p-7f, QuantizedWeight.fromBf16(QuantizedWeight.toBf16(1f + 0x1p-7f + 0x1p-10f)), 0f);
    assertTrue(Float.isNaN(QuantizedWeight.fromBf16(QuantizedWeight.toBf16(Float.NaN))));
    assertEquals(Float.NEGATIVE_INFINITY, QuantizedWeight.fromBf16(QuantizedWeight.toBf16(Float.NEGATIVE_INFINITY)));
    SplittableRandom r = Check.random(43);
    float[] w = Check.uniform(r, 1000);
    float[] back = QuantizedWeight.quantize(Format.BF16, w, 10, 100, false).dequantize();
    for (int i = 0; i < w.length; i++) {
      assertTrue(Math.abs(back[i] - w[i]) <= Math.abs(w[i]) * 0x1p-8f, "element " + i);
    }
  }

  @Test
  void badInputIsNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> QuantizedWeight.quantize(Format.INT8, new float[5], 2, 3, true));
    assertTrue(e.getMessage().contains("(out, in) = (3, 2)") && e.getMessage().contains("5"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> QuantizedWeight.quantize(Format.INT8, new float[] {1, Float.NaN}, 1, 2, false));
    assertTrue(e.getMessage().contains("output 1"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> QuantizedWeight.ofInt8(new byte[2], new float[] {1f, -1f}, 1, 2));
    assertTrue(e.getMessage().contains("scale of output 1"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> QuantizedWeight.ofBf16(new short[2], 1, 2).scales());
  }

  @Test
  void opsLinearChecksShapesAndDifferentiatesTheInput() {
    Ops ops = new Ops(new ReferenceBackend());
    SplittableRandom r = Check.random(44);
    float[] w = Check.uniform(r, 3 * 4);
    QuantizedWeight q = QuantizedWeight.quantize(Format.INT8, w, 3, 4, false);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ops.linear(ops.zeros(2, 5), q, null));
    assertTrue(e.getMessage().contains("linear"), e.getMessage());
    // d(sum(x·W + b))/dx = row sums of W, for every row of x.
    Tensor x = ops.tensor(Check.uniform(r, 2 * 3), 2, 3);
    Tensor b = ops.zeros(4);
    float[] dx;
    float[] db;
    try (Tape tape = ops.record()) {
      tape.watch(x, b);
      Gradients g = tape.backward(ops.sum(ops.reshape(ops.linear(x, q, b), 8), 0, false));
      dx = g.get(x).toFloatArray();
      db = g.get(b).toFloatArray();
    }
    float[] deq = q.dequantize();
    for (int i = 0; i < 2; i++) {
      for (int p = 0; p < 3; p++) {
        float want = 0;
        for (int j = 0; j < 4; j++) {
          want += deq[p * 4 + j];
        }
        assertEquals(want, dx[i * 3 + p], 1e-5f);
      }
    }
    assertArrayEquals(new float[] {2, 2, 2, 2}, db, 0f);
  }
}
