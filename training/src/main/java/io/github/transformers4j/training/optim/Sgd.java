package io.github.transformers4j.training.optim;

import io.github.transformers4j.api.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with (optionally Nesterov) momentum and L2 weight decay, computed as
 * {@code torch.optim.SGD} does: {@code g += wd·p}; {@code b = μ·b + g} (b = g on the first step);
 * {@code p -= lr·b} (or {@code lr·(g + μ·b)} with Nesterov). Decay applies to weight matrices only.
 */
public final class Sgd implements Optimizer {
  private final double momentum;
  private final double weightDecay;
  private final boolean nesterov;
  private final Map<String, float[]> buf = new LinkedHashMap<>();
  private long t;

  /**
   * SGD with {@code momentum} in [0, 1), {@code weightDecay} ≥ 0.
   *
   * @throws IllegalArgumentException when out of range
   */
  public Sgd(double momentum, double weightDecay, boolean nesterov) {
    if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException(
          "SGD: momentum must be in [0, 1) and weight decay >= 0, got "
              + momentum
              + ", "
              + weightDecay);
    }
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  @Override
  public void step(ParameterSet params, GradientBuffer grads, double lr) {
    t++;
    float mu = (float) momentum;
    float wd = (float) weightDecay;
    float rate = (float) lr;
    for (Parameter p : params) {
      float[] g0 = grads.get(p.name());
      if (g0 == null) {
        continue;
      }
      Tensor cur = p.get();
      float[] w = cur.toFloatArray();
      boolean dec = weightDecay > 0 && p.kind() == Parameter.Kind.WEIGHT;
      float[] b = buf.get(p.name());
      boolean first = b == null;
      if (first && momentum > 0) {
        b = new float[w.length];
        buf.put(p.name(), b);
      }
      for (int i = 0; i < w.length; i++) {
        float g = dec ? g0[i] + wd * w[i] : g0[i];
        float d = g;
        if (momentum > 0) {
          b[i] = first ? g : mu * b[i] + g;
          d = nesterov ? g + mu * b[i] : b[i];
        }
        w[i] -= rate * d;
      }
      p.set(cur.backend().fromHost(w, cur.shape()));
    }
  }

  @Override
  public long steps() {
    return t;
  }

  @Override
  public Map<String, float[]> state() {
    Map<String, float[]> s = new LinkedHashMap<>();
    buf.forEach((k, a) -> s.put("momentum_buffer." + k, a));
    return s;
  }

  @Override
  public void restore(Map<String, float[]> state, long steps, ParameterSet params) {
    buf.clear();
    for (Parameter p : params) {
      float[] a = state.get("momentum_buffer." + p.name());
      if (a == null) {
        continue;
      }
      if (a.length != p.get().size()) {
        throw new IllegalArgumentException(
            "SGD state for '"
                + p.name()
                + "': "
                + a.length
                + " values, expected "
                + p.get().size());
      }
      buf.put(p.name(), a.clone());
    }
    t = steps;
  }
}
