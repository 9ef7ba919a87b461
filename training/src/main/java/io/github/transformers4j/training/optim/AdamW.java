package io.github.transformers4j.training.optim;

import io.github.transformers4j.api.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), computed as {@code torch.optim.AdamW}
 * does, so that its steps match PyTorch's: {@code p -= lr·wd·p}; {@code m = β1·m + (1−β1)·g};
 * {@code v = β2·v + (1−β2)·g²}; {@code p -= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)}.
 *
 * <p>Weight decay applies to {@link Parameter.Kind#WEIGHT} matrices only; biases and norms are
 * never decayed (decaying a gain towards 0 fights the normalization), embeddings only when {@code
 * decayEmbeddings} (nanoGPT decays them; BERT does not).
 */
public final class AdamW implements Optimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final boolean decayEmbeddings;
  private final Map<String, float[]> m = new LinkedHashMap<>();
  private final Map<String, float[]> v = new LinkedHashMap<>();
  private long t;

  /** AdamW with PyTorch's defaults except the decay: β1 0.9, β2 0.999, ε 1e-8. */
  public AdamW(double weightDecay) {
    this(0.9, 0.999, 1e-8, weightDecay, false);
  }

  /**
   * AdamW with every hyper-parameter explicit.
   *
   * @throws IllegalArgumentException when a β is outside [0, 1), ε ≤ 0 or the decay negative
   */
  public AdamW(
      double beta1, double beta2, double eps, double weightDecay, boolean decayEmbeddings) {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException(
          "AdamW: betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
    }
    if (!(eps > 0) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException(
          "AdamW: eps must be > 0 and weight decay >= 0, got eps "
              + eps
              + ", decay "
              + weightDecay);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.decayEmbeddings = decayEmbeddings;
  }

  /** Whether {@code p} is decayed. */
  public boolean decays(Parameter p) {
    return weightDecay > 0
        && (p.kind() == Parameter.Kind.WEIGHT
            || (decayEmbeddings && p.kind() == Parameter.Kind.EMBEDDING));
  }

  @Override
  public void step(ParameterSet params, GradientBuffer grads, double lr) {
    t++;
    // Float arithmetic in PyTorch's order, with the scalar factors in double as PyTorch computes
    // them in Python floats.
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    float stepSize = (float) (lr / bc1);
    float bc2Sqrt = (float) Math.sqrt(bc2);
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float omb1 = (float) (1 - beta1);
    float omb2 = (float) (1 - beta2);
    float decay = (float) (1 - lr * weightDecay);
    float e = (float) eps;
    for (Parameter p : params) {
      float[] g = grads.get(p.name());
      if (g == null) {
        continue;
      }
      Tensor cur = p.get();
      float[] w = cur.toFloatArray();
      float[] mm = m.computeIfAbsent(p.name(), k -> new float[w.length]);
      float[] vv = v.computeIfAbsent(p.name(), k -> new float[w.length]);
      boolean dec = decays(p);
      for (int i = 0; i < w.length; i++) {
        float wi = dec ? w[i] * decay : w[i];
        float gi = g[i];
        mm[i] = b1 * mm[i] + omb1 * gi;
        vv[i] = b2 * vv[i] + omb2 * (gi * gi);
        float denom = (float) Math.sqrt(vv[i]) / bc2Sqrt + e;
        w[i] = wi - stepSize * (mm[i] / denom);
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
    m.forEach((k, a) -> s.put("exp_avg." + k, a));
    v.forEach((k, a) -> s.put("exp_avg_sq." + k, a));
    return s;
  }

  @Override
  public void restore(Map<String, float[]> state, long steps, ParameterSet params) {
    m.clear();
    v.clear();
    for (Parameter p : params) {
      float[] a = state.get("exp_avg." + p.name());
      float[] b = state.get("exp_avg_sq." + p.name());
      if (a == null && b == null) {
        continue; // never stepped (no gradient yet)
      }
      int n = p.get().size();
      if (a == null || b == null || a.length != n || b.length != n) {
        throw new IllegalArgumentException(
            "AdamW state for '"
                + p.name()
                + "': expected exp_avg and exp_avg_sq of "
                + n
                + " values, got "
                + (a == null ? "none" : a.length)
                + " and "
                + (b == null ? "none" : b.length));
      }
      m.put(p.name(), a.clone());
      v.put(p.name(), b.clone());
    }
    t = steps;
  }
}
