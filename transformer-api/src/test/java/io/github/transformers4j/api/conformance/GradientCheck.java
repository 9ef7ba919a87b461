package io.github.transformers4j.api.conformance;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Finite-difference gradient checks: for {@code L = Σ f(x)·R} with a fixed random {@code R}, the
 * gradient from the tape must match central differences of {@code L} at sampled elements of every
 * input.
 */
public final class GradientCheck {
  private GradientCheck() {}

  /**
   * Checks {@code f} at {@code inputs} (host arrays with shapes); each input is perturbed in turn.
   *
   * @param h the finite-difference step (float32 forward passes: 1e-2 is a good balance)
   * @param tol absolute-plus-relative tolerance on each gradient entry
   */
  public static void check(
      String what,
      Ops ops,
      float[][] inputs,
      int[][] shapes,
      Function<Tensor[], Tensor> f,
      double h,
      double tol,
      long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Tensor[] xs = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      xs[i] = ops.tensor(inputs[i], shapes[i]);
    }
    Tensor probe = f.apply(xs);
    float[] r = Check.uniform(rnd, probe.size());
    Tensor rt = ops.tensor(r, probe.shape().dims());

    Gradients grads;
    try (Tape tape = ops.record()) {
      tape.watch(xs);
      Tensor y = f.apply(xs);
      Tensor loss = ops.sumAll(ops.mul(y, rt));
      grads = tape.backward(loss);
    }
    for (int i = 0; i < inputs.length; i++) {
      Tensor g = grads.get(xs[i]);
      assertNotNull(g, what + ": no gradient reached input " + i);
      float[] analytic = g.toFloatArray();
      int samples = Math.min(inputs[i].length, 12);
      for (int s = 0; s < samples; s++) {
        int j = samples == inputs[i].length ? s : rnd.nextInt(inputs[i].length);
        float[] plus = inputs[i].clone();
        float[] minus = inputs[i].clone();
        plus[j] += (float) h;
        minus[j] -= (float) h;
        double lp = loss(ops, xs, i, plus, shapes[i], f, r);
        double lm = loss(ops, xs, i, minus, shapes[i], f, r);
        double numeric = (lp - lm) / ((double) (plus[j] - minus[j]));
        double a = analytic[j];
        if (Math.abs(a - numeric) > tol * (1 + Math.abs(numeric))) {
          fail(
              what + ": d/d input" + i + "[" + j + "] is " + a + " by autograd but " + numeric
                  + " by central differences (h " + h + ", tol " + tol + ", seed " + seed + ")");
        }
      }
    }
  }

  private static double loss(
      Ops ops, Tensor[] xs, int i, float[] data, int[] shape, Function<Tensor[], Tensor> f, float[] r) {
    Tensor[] moved = xs.clone();
    moved[i] = ops.tensor(data, shape);
    float[] y = f.apply(moved).toFloatArray();
    double acc = 0;
    for (int k = 0; k < y.length; k++) {
      acc += (double) y[k] * r[k];
    }
    return acc;
  }
}
