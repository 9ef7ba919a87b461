package io.github.transformers4j.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.reference.MathFunctions;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** Accuracy of the erf behind exact GELU and of the SIMD exponential behind softmax. */
class VMathTest {

  @Test
  void erfWithin1e10OfTheReference() {
    // MathFunctions.erf (series / continued fraction) is accurate to 1e-13: a fine oracle.
    double worst = 0;
    double at = 0;
    for (int i = -700_000; i <= 700_000; i++) {
      double x = i * 1e-5;
      double err = Math.abs(VMath.erf(x) - MathFunctions.erf(x));
      if (err > worst) {
        worst = err;
        at = x;
      }
    }
    assertTrue(worst < 1e-10, "max |erf error| " + worst + " at x=" + at);
    assertEquals(1.0, VMath.erf(Double.POSITIVE_INFINITY));
    assertEquals(-1.0, VMath.erf(-30));
    assertTrue(Double.isNaN(VMath.erf(Double.NaN)));
  }

  @Test
  void vectorExpWithin2UlpAndExactZeroBelowRange() {
    int vl = VMath.VL;
    float[] x = new float[vl];
    float[] y = new float[vl];
    double worstUlp = 0;
    for (int i = 0; i < 200_000; i += vl) {
      for (int l = 0; l < vl; l++) {
        x[l] = -87f + (i + l) * (87f + 88f) / 200_000f;
      }
      VMath.exp(FloatVector.fromArray(VMath.S, x, 0)).intoArray(y, 0);
      for (int l = 0; l < vl; l++) {
        double want = Math.exp(x[l]);
        worstUlp = Math.max(worstUlp, Math.abs(y[l] - want) / Math.ulp((float) want));
      }
    }
    assertTrue(worstUlp <= 2, "worst error " + worstUlp + " ulp");
    java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
    x[0] = -100f;
    x[vl - 1] = 0f;
    VMath.exp(FloatVector.fromArray(VMath.S, x, 0)).intoArray(y, 0);
    assertEquals(0f, y[0]);
    assertEquals(0f, y[1 % vl == 0 ? 0 : 1]);
    assertEquals(1f, y[vl - 1]);
  }

  @Test
  void vectorErfWithin1e6() {
    int vl = VMath.VL;
    float[] x = new float[vl];
    float[] y = new float[vl];
    double worst = 0;
    double at = 0;
    for (int i = 0; i < 1_600_000; i += vl) {
      for (int l = 0; l < vl; l++) {
        x[l] = -8f + (i + l) * 1e-5f;
      }
      VMath.erf(FloatVector.fromArray(VMath.S, x, 0)).intoArray(y, 0);
      for (int l = 0; l < vl; l++) {
        double err = Math.abs(y[l] - MathFunctions.erf(x[l]));
        if (err > worst) {
          worst = err;
          at = x[l];
        }
      }
    }
    assertTrue(worst < 1e-6, "max |erf error| " + worst + " at x=" + at);
    java.util.Arrays.fill(x, Float.NaN);
    x[0] = Float.POSITIVE_INFINITY;
    x[vl - 1] = Float.NEGATIVE_INFINITY;
    VMath.erf(FloatVector.fromArray(VMath.S, x, 0)).intoArray(y, 0);
    assertEquals(1f, y[0]);
    assertEquals(-1f, y[vl - 1]);
    if (vl > 2) {
      assertTrue(Float.isNaN(y[1]));
    }
  }
}
