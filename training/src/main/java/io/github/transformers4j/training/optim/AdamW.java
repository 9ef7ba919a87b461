package io.github.transformers4j.training.optim;

import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.UnaryOp;
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
 *
 * <p>A gradient that {@link GradientBuffer} holds as a tensor (on a device backend) is applied with
 * the backend's kernels (affine, binary, sqrt), its moments kept as tensors beside the parameter,
 * so the update moves nothing; the one difference from the host loop is that the bias-corrected
 * denominator multiplies by {@code 1/√(1−β2ᵗ)} instead of dividing by {@code √(1−β2ᵗ)} (at most an
 * ulp). Host gradients (cpu, reference, or {@link GradientBuffer#add(String, float[])}) take the
 * host loop.
 */
public final class AdamW implements Optimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final boolean decayEmbeddings;
  private final Map<String, float[]> m = new LinkedHashMap<>();
  private final Map<String, float[]> v = new LinkedHashMap<>();
  private final Map<String, Tensor> mt = new LinkedHashMap<>();
  private final Map<String, Tensor> vt = new LinkedHashMap<>();
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
      Tensor gt = grads.tensor(p.name());
      if (gt != null) {
        stepOnBackend(p, gt, b1, b2, omb1, omb2, decay, stepSize, bc2Sqrt, e);
        continue;
      }
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

  /** The update of one parameter with the backend's kernels; see the class comment. */
  private void stepOnBackend(
      Parameter p, Tensor g, float b1, float b2, float omb1, float omb2, float decay,
      float stepSize, float bc2Sqrt, float e) {
    Tensor cur = p.get();
    ComputeBackend b = cur.backend();
    Tensor m0 = moment(mt, m, p.name(), b, cur);
    Tensor v0 = moment(vt, v, p.name(), b, cur);
    Tensor w = decays(p) ? b.affine(cur, decay, 0f) : cur;
    // m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g² (a first step starts from zeros)
    Tensor gm = b.affine(g, omb1, 0f);
    Tensor m1 = m0 == null ? gm : add(b, b.affine(m0, b1, 0f), gm);
    Tensor g2 = b.binary(BinaryOp.MUL, g, g);
    Tensor gv = b.affine(g2, omb2, 0f);
    g2.close();
    Tensor v1 = v0 == null ? gv : add(b, b.affine(v0, b2, 0f), gv);
    // p −= stepSize · m / (√v/√(1−β2ᵗ) + ε)
    Tensor root = b.unary(UnaryOp.SQRT, v1);
    Tensor denom = b.affine(root, 1f / bc2Sqrt, e);
    root.close();
    Tensor ratio = b.binary(BinaryOp.DIV, m1, denom);
    denom.close();
    Tensor update = b.affine(ratio, stepSize, 0f);
    ratio.close();
    Tensor next = b.binary(BinaryOp.SUB, w, update);
    update.close();
    if (w != cur) {
      w.close();
    }
    closeIfPresent(m0);
    closeIfPresent(v0);
    mt.put(p.name(), m1);
    vt.put(p.name(), v1);
    p.set(next);
  }

  private static Tensor add(ComputeBackend b, Tensor x, Tensor y) {
    Tensor r = b.binary(BinaryOp.ADD, x, y);
    x.close();
    y.close();
    return r;
  }

  private static void closeIfPresent(Tensor t) {
    if (t != null) {
      t.close();
    }
  }

  /** The moment of {@code name} as a tensor: kept, or uploaded once from a restored host copy. */
  private static Tensor moment(
      Map<String, Tensor> onBackend, Map<String, float[]> onHost, String name, ComputeBackend b,
      Tensor like) {
    Tensor t = onBackend.remove(name);
    if (t != null) {
      return t;
    }
    float[] h = onHost.remove(name);
    return h == null ? null : b.fromHost(h, like.shape());
  }

  @Override
  public long steps() {
    return t;
  }

  @Override
  public Map<String, float[]> state() {
    Map<String, float[]> s = new LinkedHashMap<>();
    m.forEach((k, a) -> s.put("exp_avg." + k, a));
    mt.forEach((k, t) -> s.put("exp_avg." + k, t.toFloatArray()));
    v.forEach((k, a) -> s.put("exp_avg_sq." + k, a));
    vt.forEach((k, t) -> s.put("exp_avg_sq." + k, t.toFloatArray()));
    return s;
  }

  @Override
  public void restore(Map<String, float[]> state, long steps, ParameterSet params) {
    m.clear();
    v.clear();
    mt.values().forEach(Tensor::close);
    vt.values().forEach(Tensor::close);
    mt.clear();
    vt.clear();
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
