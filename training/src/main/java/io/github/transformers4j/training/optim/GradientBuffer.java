package io.github.transformers4j.training.optim;

import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.ReduceOp;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.UnaryOp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient sums, one per parameter: micro-batch gradients are added into it (gradient
 * accumulation), then it is clipped and handed to the optimizer.
 *
 * <p>On a backend whose tensors live in host memory ({@link ComputeBackend#tensorsInHostMemory()}: cpu,
 * reference) the sums are host arrays, added, clipped and normed in the host loops, which keeps
 * the arithmetic the same on every such backend (exact resume and gradient parity rely on it). On
 * a device backend gradients from a tape stay tensors there, so a training step moves no gradient
 * to the host: the sums, the clipping and {@link AdamW} run as kernels with the host loop's
 * arithmetic ({@code sum += scale·g}, {@code g *= coef}), except that the norm is summed in float
 * on the device and read back as one number.
 */
public final class GradientBuffer {
  private final Map<String, Tensor> tensors = new LinkedHashMap<>();
  private final Map<String, float[]> arrays = new LinkedHashMap<>();

  /** Adds {@code scale · dL/dp} for every parameter of {@code params} that received a gradient. */
  public void add(ParameterSet params, Gradients grads, float scale) {
    for (Parameter p : params) {
      Tensor g = grads.get(p.get());
      if (g == null) {
        continue;
      }
      ComputeBackend b = g.backend();
      if (b.tensorsInHostMemory() || arrays.containsKey(p.name())) {
        add(p.name(), scaled(g.toFloatArray(), scale));
        continue;
      }
      Tensor s = b.affine(g, scale, 0f); // a copy of our own even when scale is 1
      Tensor acc = tensors.get(p.name());
      if (acc == null) {
        tensors.put(p.name(), s);
      } else {
        tensors.put(p.name(), b.binary(BinaryOp.ADD, acc, s));
        acc.close();
        s.close();
      }
    }
  }

  private static float[] scaled(float[] a, float scale) {
    for (int i = 0; i < a.length; i++) {
      a[i] = scale * a[i];
    }
    return a;
  }

  /** Adds {@code values} (same length as the parameter) to the host sum of parameter {@code name}. */
  public void add(String name, float[] values) {
    if (tensors.containsKey(name)) {
      throw new IllegalArgumentException(
          "gradient of '" + name + "': already summed on the backend, cannot add host values");
    }
    float[] acc = arrays.computeIfAbsent(name, k -> new float[values.length]);
    if (acc.length != values.length) {
      throw new IllegalArgumentException(
          "gradient of '" + name + "': " + values.length + " values, expected " + acc.length);
    }
    for (int i = 0; i < values.length; i++) {
      acc[i] += values[i];
    }
  }

  /**
   * The summed gradient of parameter {@code name} as a host array (read back when it is on a
   * backend), or {@code null} when none was added.
   */
  public float[] get(String name) {
    float[] a = arrays.get(name);
    if (a != null) {
      return a;
    }
    Tensor t = tensors.get(name);
    return t == null ? null : t.toFloatArray();
  }

  /** The summed gradient of parameter {@code name} as a tensor, or {@code null} when it is not one. */
  public Tensor tensor(String name) {
    return tensors.get(name);
  }

  /** The gradients by parameter name, as host arrays (those on a backend read back). */
  public Map<String, float[]> asMap() {
    Map<String, float[]> m = new LinkedHashMap<>(arrays);
    tensors.forEach((k, t) -> m.put(k, t.toFloatArray()));
    return m;
  }

  /**
   * The L2 norm over all gradients: host sums accumulated in double, sums on a backend reduced
   * there in float and read back as one number.
   */
  public double globalNorm() {
    double s = 0;
    for (float[] g : arrays.values()) {
      for (float x : g) {
        s += (double) x * x;
      }
    }
    Tensor total = squaredNormOnDevice();
    if (total != null) {
      s += total.toFloatArray()[0];
      total.close();
    }
    return Math.sqrt(s);
  }

  /**
   * Whether every sum lives on a backend, so that {@link #clipOnDevice} and {@link
   * #squaredNormOnDevice} see all of them.
   */
  public boolean allOnDevice() {
    return arrays.isEmpty() && !tensors.isEmpty();
  }

  /**
   * The squared L2 norm of the sums held on a backend, as a one-element tensor there (summed in
   * float), or {@code null} when none is; nothing is read back.
   */
  public Tensor squaredNormOnDevice() {
    Tensor total = null;
    for (Tensor g : tensors.values()) {
      ComputeBackend b = g.backend();
      Tensor sq = b.binary(BinaryOp.MUL, g, g);
      int n = sq.shape().size();
      Tensor flat;
      if (n >= 4096 && n % 256 == 0) {
        // two levels: rows of 256 first, so that a device reduces in parallel
        Tensor rows = b.reduce(ReduceOp.SUM, b.reshape(sq, Shape.of(n / 256, 256)), 1, false);
        flat = b.reduce(ReduceOp.SUM, rows, 0, false);
        rows.close();
      } else {
        flat = b.reduce(ReduceOp.SUM, b.reshape(sq, Shape.of(n)), 0, false);
      }
      sq.close();
      if (total == null) {
        total = flat;
      } else {
        Tensor next = b.binary(BinaryOp.ADD, total, flat);
        total.close();
        flat.close();
        total = next;
      }
    }
    if (total == null) {
      return null;
    }
    Tensor one = total.backend().reshape(total, Shape.of(1)); // a view: the storage stays open
    total.close();
    return one;
  }

  /**
   * {@link #clipGlobalNorm} without reading anything back, for sums that all live on a backend
   * ({@link #allOnDevice}): the coefficient {@code min(1, maxNorm / (norm + 1e-6))} is computed
   * there in float and every sum is multiplied by it (by exactly 1 when the norm is within
   * bounds).
   *
   * @return the squared norm before clipping, a one-element tensor on the backend
   */
  public Tensor clipOnDevice(double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("clip: max norm must be > 0, got " + maxNorm);
    }
    if (!allOnDevice()) {
      throw new IllegalStateException(
          "clipOnDevice: " + arrays.size() + " gradient sums are host arrays; use clipGlobalNorm");
    }
    Tensor sq = squaredNormOnDevice();
    ComputeBackend b = sq.backend();
    Shape one = Shape.of(1);
    // Constants made on the backend (0·0 + c), so that nothing is uploaded.
    Tensor zero = b.zeros(one, DType.F32);
    Tensor limit = b.affine(zero, 0f, (float) maxNorm);
    Tensor minusOne = b.affine(zero, 0f, -1f);
    Tensor norm = b.unary(UnaryOp.SQRT, sq);
    Tensor den = b.affine(norm, 1f, 1e-6f);
    Tensor raw = b.binary(BinaryOp.DIV, limit, den);
    Tensor negRaw = b.affine(raw, -1f, 0f);
    Tensor both = b.concat(List.of(negRaw, minusOne), 0);
    Tensor negCoef = b.reduce(ReduceOp.MAX, both, 0, true); // max(-raw, -1) = -min(raw, 1)
    Tensor coef = b.affine(negCoef, -1f, 0f);
    for (Tensor t : List.of(zero, limit, minusOne, norm, den, raw, negRaw, both, negCoef)) {
      t.close();
    }
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      e.setValue(b.binary(BinaryOp.MUL, t, coef));
      t.close();
    }
    coef.close();
    return sq;
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
      for (float[] g : arrays.values()) {
        for (int i = 0; i < g.length; i++) {
          g[i] *= c;
        }
      }
      for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
        Tensor t = e.getValue();
        e.setValue(t.backend().affine(t, c, 0f));
        t.close();
      }
    }
    return norm;
  }

  /** Forgets every sum (after an optimizer step), releasing those held on a backend. */
  public void clear() {
    tensors.values().forEach(Tensor::close);
    tensors.clear();
    arrays.clear();
  }

  /** Whether no gradient was added. */
  public boolean isEmpty() {
    return tensors.isEmpty() && arrays.isEmpty();
  }
}
