package io.github.transformers4j.training.optim;

import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with (optionally Nesterov) momentum and L2 weight decay, computed as
 * {@code torch.optim.SGD} does: {@code g += wd·p}; {@code b = μ·b + g} (b = g on the first step);
 * {@code p -= lr·b} (or {@code lr·(g + μ·b)} with Nesterov). Decay applies to weight matrices only.
 *
 * <p>A gradient that {@link GradientBuffer} holds as a tensor (on a device backend) is applied with
 * the backend's kernels (affine, binary) in the host loop's float arithmetic, the momentum buffer
 * kept as a tensor beside the parameter: a step moves nothing between host and device.
 */
public final class Sgd implements Optimizer {
  private final double momentum;
  private final double weightDecay;
  private final boolean nesterov;
  private final Map<String, float[]> buf = new LinkedHashMap<>();
  private final Map<String, Tensor> bufOnBackend = new LinkedHashMap<>();
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
      Tensor gt = grads.tensor(p.name());
      if (gt != null) {
        stepOnBackend(p, gt, mu, wd, rate);
        continue;
      }
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

  /** The update of one parameter with the backend's kernels; see the class comment. */
  private void stepOnBackend(Parameter p, Tensor g0, float mu, float wd, float rate) {
    Tensor cur = p.get();
    ComputeBackend b = cur.backend();
    boolean dec = weightDecay > 0 && p.kind() == Parameter.Kind.WEIGHT;
    // g = g0 + wd·w
    Tensor g = g0;
    if (dec) {
      Tensor decay = b.affine(cur, wd, 0f);
      g = b.binary(BinaryOp.ADD, g0, decay);
      decay.close();
    }
    Tensor d = g;
    if (momentum > 0) {
      Tensor b0 = bufOnBackend.remove(p.name());
      float[] restored = buf.remove(p.name());
      if (b0 == null && restored != null) {
        b0 = b.fromHost(restored, cur.shape());
      }
      // b = μ·b + g (b = g on the first step)
      Tensor b1;
      if (b0 == null) {
        b1 = b.affine(g, 1f, 0f); // a copy of our own
      } else {
        Tensor scaled = b.affine(b0, mu, 0f);
        b1 = b.binary(BinaryOp.ADD, scaled, g);
        scaled.close();
        b0.close();
      }
      bufOnBackend.put(p.name(), b1);
      if (nesterov) {
        Tensor look = b.affine(b1, mu, 0f);
        d = b.binary(BinaryOp.ADD, g, look);
        look.close();
      } else {
        d = b1;
      }
    }
    Tensor update = b.affine(d, rate, 0f);
    Tensor next = b.binary(BinaryOp.SUB, cur, update);
    update.close();
    if (d != g && d != bufOnBackend.get(p.name())) {
      d.close();
    }
    if (g != g0) {
      g.close();
    }
    p.set(next);
  }

  @Override
  public long steps() {
    return t;
  }

  @Override
  public Map<String, float[]> state() {
    Map<String, float[]> s = new LinkedHashMap<>();
    buf.forEach((k, a) -> s.put("momentum_buffer." + k, a));
    bufOnBackend.forEach((k, a) -> s.put("momentum_buffer." + k, a.toFloatArray()));
    return s;
  }

  @Override
  public void restore(Map<String, float[]> state, long steps, ParameterSet params) {
    buf.clear();
    bufOnBackend.values().forEach(Tensor::close);
    bufOnBackend.clear();
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
