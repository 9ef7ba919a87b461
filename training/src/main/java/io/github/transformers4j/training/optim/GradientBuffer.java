package io.github.transformers4j.training.optim;

import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Host-side gradient sums, one {@code float[]} per parameter: micro-batch gradients are added into
 * it (gradient accumulation), then it is clipped and handed to the optimizer. Holding the sums on
 * the host keeps the optimizer arithmetic identical on every backend, which exact resume and
 * gradient parity rely on.
 */
public final class GradientBuffer {
  private final Map<String, float[]> sums = new LinkedHashMap<>();

  /** Adds {@code scale · dL/dp} for every parameter of {@code params} that received a gradient. */
  public void add(ParameterSet params, Gradients grads, float scale) {
    for (Parameter p : params) {
      Tensor g = grads.get(p.get());
      if (g == null) {
        continue;
      }
      float[] src = g.toFloatArray();
      float[] acc = sums.get(p.name());
      if (acc == null) {
        acc = new float[src.length];
        sums.put(p.name(), acc);
      }
      for (int i = 0; i < src.length; i++) {
        acc[i] += scale * src[i];
      }
    }
  }

  /** Adds {@code values} (same length as the parameter) to the sum of parameter {@code name}. */
  public void add(String name, float[] values) {
    float[] acc = sums.computeIfAbsent(name, k -> new float[values.length]);
    if (acc.length != values.length) {
      throw new IllegalArgumentException(
          "gradient of '" + name + "': " + values.length + " values, expected " + acc.length);
    }
    for (int i = 0; i < values.length; i++) {
      acc[i] += values[i];
    }
  }

  /** The summed gradient of parameter {@code name}, or {@code null} when none was added. */
  public float[] get(String name) {
    return sums.get(name);
  }

  /** The gradients by parameter name (live arrays). */
  public Map<String, float[]> asMap() {
    return sums;
  }

  /** The L2 norm over all gradients, accumulated in double. */
  public double globalNorm() {
    double s = 0;
    for (float[] g : sums.values()) {
      for (float x : g) {
        s += (double) x * x;
      }
    }
    return Math.sqrt(s);
  }

  /**
   * Clips by global norm the way {@code torch.nn.utils.clip_grad_norm_} does: when the norm exceeds
   * {@code maxNorm}, every gradient is multiplied by {@code maxNorm / (norm + 1e-6)}.
   *
   * @return the norm before clipping
   */
  public double clipGlobalNorm(double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("clip: max norm must be > 0, got " + maxNorm);
    }
    double norm = globalNorm();
    double coef = maxNorm / (norm + 1e-6);
    if (coef < 1.0) {
      float c = (float) coef;
      for (float[] g : sums.values()) {
        for (int i = 0; i < g.length; i++) {
          g[i] *= c;
        }
      }
    }
    return norm;
  }

  /** Forgets every sum (after an optimizer step). */
  public void clear() {
    sums.clear();
  }

  /** Whether no gradient was added. */
  public boolean isEmpty() {
    return sums.isEmpty();
  }
}
