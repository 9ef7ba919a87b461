package io.github.transformers4j.api.reference;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.Dropout;
import io.github.transformers4j.api.RecurrentCell;
import io.github.transformers4j.api.ReduceOp;
import io.github.transformers4j.api.ShapeRules;
import io.github.transformers4j.api.UnaryOp;
import java.util.List;

/**
 * Naive scalar kernels over row-major host arrays: the oracles every optimized kernel is tested
 * against, the engine of {@link ReferenceBackend}, and the host fallback of backends that lack a
 * device kernel. Written for clarity, in double precision where accumulation matters; never for
 * speed.
 *
 * <p>Inputs are assumed checked by {@link ShapeRules}; the methods compute output shapes with it.
 */
public final class HostKernels {
  private HostKernels() {}

  // ---- Layout ----

  /**
   * For each element of {@code out}, the row-major offset of the element of {@code in} that
   * broadcasts onto it.
   */
  public static int[] broadcastIndex(Shape in, Shape out) {
    int r = out.rank();
    int[] inStrides = new int[r];
    int[] s = in.strides();
    for (int i = 0; i < r; i++) {
      int j = i - (r - in.rank());
      inStrides[i] = j < 0 || in.dim(j) == 1 ? 0 : s[j];
    }
    int[] dims = out.dims();
    int[] idx = new int[out.size()];
    int[] pos = new int[r];
    int off = 0;
    for (int n = 0; n < idx.length; n++) {
      idx[n] = off;
      for (int i = r - 1; i >= 0; i--) {
        pos[i]++;
        off += inStrides[i];
        if (pos[i] < dims[i]) {
          break;
        }
        off -= inStrides[i] * dims[i];
        pos[i] = 0;
      }
    }
    return idx;
  }

  /** {@code x} permuted: output axis {@code i} is input axis {@code axes[i]}. */
  public static float[] permute(float[] x, Shape sx, int[] axes) {
    Shape out = ShapeRules.permute(sx, axes);
    int r = sx.rank();
    int[] inStrides = sx.strides();
    int[] dims = out.dims();
    float[] y = new float[x.length];
    int[] pos = new int[r];
    for (int n = 0; n < y.length; n++) {
      int off = 0;
      for (int i = 0; i < r; i++) {
        off += pos[i] * inStrides[axes[i]];
      }
      y[n] = x[off];
      for (int i = r - 1; i >= 0; i--) {
        if (++pos[i] < dims[i]) {
          break;
        }
        pos[i] = 0;
      }
    }
    return y;
  }

  /** {@code x[..., start:end, ...]} along {@code axis}. */
  public static float[] slice(float[] x, Shape sx, int axis, int start, int end) {
    int a = sx.axis(axis);
    int outer = sx.sizeBefore(a);
    int inner = sx.sizeAfter(a);
    int len = end - start;
    float[] y = new float[outer * len * inner];
    for (int o = 0; o < outer; o++) {
      System.arraycopy(
          x, (o * sx.dim(a) + start) * inner, y, o * len * inner, len * inner);
    }
    return y;
  }

  /** {@code parts} joined along {@code axis}. */
  public static float[] concat(List<float[]> parts, List<Shape> shapes, int axis) {
    Shape out = ShapeRules.concat(shapes, axis);
    int a = out.axis(axis);
    int outer = out.sizeBefore(a);
    int inner = out.sizeAfter(a);
    float[] y = new float[out.size()];
    int at = 0;
    for (int p = 0; p < parts.size(); p++) {
      int len = shapes.get(p).dim(a) * inner;
      for (int o = 0; o < outer; o++) {
        System.arraycopy(parts.get(p), o * len, y, o * out.dim(a) * inner + at, len);
      }
      at += len;
    }
    return y;
  }

  // ---- Linear algebra ----

  /** Batched {@code op(a)·op(b)}; see {@code ComputeBackend#matmul}. */
  public static float[] matmul(float[] a, Shape sa, float[] b, Shape sb, boolean ta, boolean tb) {
    Shape out = ShapeRules.matmul(sa, sb, ta, tb);
    int m = out.dim(-2);
    int n = out.dim(-1);
    int k = ta ? sa.dim(-2) : sa.dim(-1);
    int batch = out.size() / Math.max(1, m * n);
    if (m * n == 0) {
      return new float[0];
    }
    boolean sharedA = sa.rank() == 2;
    boolean sharedB = sb.rank() == 2;
    float[] c = new float[out.size()];
    for (int bi = 0; bi < batch; bi++) {
      int offA = sharedA ? 0 : bi * m * k;
      int offB = sharedB ? 0 : bi * k * n;
      int offC = bi * m * n;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double acc = 0;
          for (int p = 0; p < k; p++) {
            float av = ta ? a[offA + p * m + i] : a[offA + i * k + p];
            float bv = tb ? b[offB + j * k + p] : b[offB + p * n + j];
            acc += (double) av * bv;
          }
          c[offC + i * n + j] = (float) acc;
        }
      }
    }
    return c;
  }

  // ---- Elementwise ----

  /** {@code a op b} with broadcasting. */
  public static float[] binary(BinaryOp op, float[] a, Shape sa, float[] b, Shape sb) {
    Shape out = ShapeRules.broadcast(op.name().toLowerCase(java.util.Locale.ROOT), sa, sb);
    int[] ia = broadcastIndex(sa, out);
    int[] ib = broadcastIndex(sb, out);
    float[] y = new float[out.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = op.apply(a[ia[i]], b[ib[i]]);
    }
    return y;
  }

  /** {@code f(x)}. */
  public static float[] unary(UnaryOp op, float[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = op.apply(x[i]);
    }
    return y;
  }

  /** {@code x·scale + shift}. */
  public static float[] affine(float[] x, float scale, float shift) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * scale + shift;
    }
    return y;
  }

  /** {@code f(x)} for a nonlinearity. */
  public static float[] activation(Activation f, float[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (float) activate(f, x[i]);
    }
    return y;
  }

  /** {@code dy·f'(x)}. */
  public static float[] activationBackward(Activation f, float[] x, float[] dy) {
    float[] dx = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      dx[i] = (float) (dy[i] * derivative(f, x[i]));
    }
    return dx;
  }

  /** The definition of each nonlinearity, in double precision. */
  public static double activate(Activation f, double x) {
    switch (f) {
      case RELU:
        return x > 0 ? x : 0;
      case GELU:
        return 0.5 * x * (1 + MathFunctions.erf(x / Math.sqrt(2)));
      case GELU_TANH:
        return 0.5 * x * (1 + Math.tanh(MathFunctions.SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
      case SILU:
        return x / (1 + Math.exp(-x));
      case TANH:
        return Math.tanh(x);
      default:
        return 1 / (1 + Math.exp(-x));
    }
  }

  /** The derivative of each nonlinearity, in double precision. */
  public static double derivative(Activation f, double x) {
    switch (f) {
      case RELU:
        return x > 0 ? 1 : 0;
      case GELU:
        {
          double cdf = 0.5 * (1 + MathFunctions.erf(x / Math.sqrt(2)));
          double pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
          return cdf + x * pdf;
        }
      case GELU_TANH:
        {
          double u = MathFunctions.SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
          double t = Math.tanh(u);
          double du = MathFunctions.SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
          return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
        }
      case SILU:
        {
          double s = 1 / (1 + Math.exp(-x));
          return s * (1 + x * (1 - s));
        }
      case TANH:
        {
          double t = Math.tanh(x);
          return 1 - t * t;
        }
      default:
        {
          double s = 1 / (1 + Math.exp(-x));
          return s * (1 - s);
        }
    }
  }

  // ---- Reductions ----

  /** Reduction along {@code axis}. */
  public static float[] reduce(ReduceOp op, float[] x, Shape sx, int axis) {
    int a = sx.axis(axis);
    int outer = sx.sizeBefore(a);
    int len = sx.dim(a);
    int inner = sx.sizeAfter(a);
    float[] y = new float[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        double acc = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0;
        for (int l = 0; l < len; l++) {
          float v = x[(o * len + l) * inner + i];
          acc = op == ReduceOp.MAX ? Math.max(acc, v) : acc + v;
        }
        if (op == ReduceOp.MEAN) {
          acc /= len;
        }
        y[o * inner + i] = (float) acc;
      }
    }
    return y;
  }

  /** Sums {@code x} down to {@code target} (the backward of broadcasting). */
  public static float[] sumTo(float[] x, Shape sx, Shape target) {
    int[] idx = broadcastIndex(target, sx);
    double[] acc = new double[target.size()];
    for (int i = 0; i < x.length; i++) {
      acc[idx[i]] += x[i];
    }
    float[] y = new float[acc.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) acc[i];
    }
    return y;
  }

  /** {@code x} broadcast to {@code target}. */
  public static float[] broadcastTo(float[] x, Shape sx, Shape target) {
    int[] idx = broadcastIndex(sx, target);
    float[] y = new float[target.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = x[idx[i]];
    }
    return y;
  }

  // ---- Softmax and normalization ----

  /** Softmax over the last axis of {@code x + mask}, optionally causal; see the SPI. */
  public static float[] softmax(float[] x, Shape sx, float[] mask, Shape sm, boolean causal) {
    int n = sx.dim(-1);
    int rows = n == 0 ? 0 : x.length / n;
    int tq = sx.rank() >= 2 ? sx.dim(-2) : 1;
    int[] mi = mask == null ? null : broadcastIndex(sm, sx);
    float[] y = new float[x.length];
    double[] row = new double[n];
    for (int r = 0; r < rows; r++) {
      int q = r % tq;
      int visible = causal ? Math.min(n, q + n - tq + 1) : n;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        double v = j < visible ? x[r * n + j] + (mi == null ? 0 : mask[mi[r * n + j]])
            : Double.NEGATIVE_INFINITY;
        row[j] = v;
        max = Math.max(max, v);
      }
      if (max == Double.NEGATIVE_INFINITY) {
        continue; // nothing visible: zeros, not NaN
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        row[j] = Math.exp(row[j] - max);
        sum += row[j];
      }
      for (int j = 0; j < n; j++) {
        y[r * n + j] = (float) (row[j] / sum);
      }
    }
    return y;
  }

  /** {@code y·(dy − Σ dy·y)} over the last axis. */
  public static float[] softmaxBackward(float[] y, float[] dy, int n) {
    float[] dx = new float[y.length];
    for (int r = 0; r < (n == 0 ? 0 : y.length / n); r++) {
      double dot = 0;
      for (int j = 0; j < n; j++) {
        dot += (double) dy[r * n + j] * y[r * n + j];
      }
      for (int j = 0; j < n; j++) {
        dx[r * n + j] = (float) (y[r * n + j] * (dy[r * n + j] - dot));
      }
    }
    return dx;
  }

  /** log(softmax(x)) over the last axis. */
  public static float[] logSoftmax(float[] x, int n) {
    float[] y = new float[x.length];
    for (int r = 0; r < (n == 0 ? 0 : x.length / n); r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        max = Math.max(max, x[r * n + j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum += Math.exp(x[r * n + j] - max);
      }
      double lse = max + Math.log(sum);
      for (int j = 0; j < n; j++) {
        y[r * n + j] = (float) (x[r * n + j] - lse);
      }
    }
    return y;
  }

  /** {@code dy − exp(y)·Σ dy} over the last axis. */
  public static float[] logSoftmaxBackward(float[] y, float[] dy, int n) {
    float[] dx = new float[y.length];
    for (int r = 0; r < (n == 0 ? 0 : y.length / n); r++) {
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum += dy[r * n + j];
      }
      for (int j = 0; j < n; j++) {
        dx[r * n + j] = (float) (dy[r * n + j] - Math.exp(y[r * n + j]) * sum);
      }
    }
    return dx;
  }

  /** Layer norm over rows of length {@code c}. */
  public static float[] layerNorm(float[] x, int c, float[] gamma, float[] beta, float eps) {
    float[] y = new float[x.length];
    for (int r = 0; r < (c == 0 ? 0 : x.length / c); r++) {
      double mean = 0;
      for (int j = 0; j < c; j++) {
        mean += x[r * c + j];
      }
      mean /= c;
      double var = 0;
      for (int j = 0; j < c; j++) {
        double d = x[r * c + j] - mean;
        var += d * d;
      }
      var /= c;
      double rstd = 1 / Math.sqrt(var + eps);
      for (int j = 0; j < c; j++) {
        y[r * c + j] = (float) ((x[r * c + j] - mean) * rstd * gamma[j] + beta[j]);
      }
    }
    return y;
  }

  /** Gradients of layer norm: {@code {dx, dgamma, dbeta}}. */
  public static float[][] layerNormBackward(float[] x, int c, float[] gamma, float eps, float[] dy) {
    float[] dx = new float[x.length];
    double[] dg = new double[c];
    double[] db = new double[c];
    double[] xhat = new double[c];
    for (int r = 0; r < (c == 0 ? 0 : x.length / c); r++) {
      double mean = 0;
      for (int j = 0; j < c; j++) {
        mean += x[r * c + j];
      }
      mean /= c;
      double var = 0;
      for (int j = 0; j < c; j++) {
        double d = x[r * c + j] - mean;
        var += d * d;
      }
      var /= c;
      double rstd = 1 / Math.sqrt(var + eps);
      double sumG = 0;
      double sumGx = 0;
      for (int j = 0; j < c; j++) {
        xhat[j] = (x[r * c + j] - mean) * rstd;
        double g = dy[r * c + j] * gamma[j];
        sumG += g;
        sumGx += g * xhat[j];
        dg[j] += dy[r * c + j] * xhat[j];
        db[j] += dy[r * c + j];
      }
      for (int j = 0; j < c; j++) {
        double g = dy[r * c + j] * gamma[j];
        dx[r * c + j] = (float) (rstd * (g - sumG / c - xhat[j] * sumGx / c));
      }
    }
    return new float[][] {dx, toFloat(dg), toFloat(db)};
  }

  /** RMS norm over rows of length {@code c}. */
  public static float[] rmsNorm(float[] x, int c, float[] gamma, float eps) {
    float[] y = new float[x.length];
    for (int r = 0; r < (c == 0 ? 0 : x.length / c); r++) {
      double ms = 0;
      for (int j = 0; j < c; j++) {
        ms += (double) x[r * c + j] * x[r * c + j];
      }
      double rrms = 1 / Math.sqrt(ms / c + eps);
      for (int j = 0; j < c; j++) {
        y[r * c + j] = (float) (x[r * c + j] * rrms * gamma[j]);
      }
    }
    return y;
  }

  /** Gradients of RMS norm: {@code {dx, dgamma}}. */
  public static float[][] rmsNormBackward(float[] x, int c, float[] gamma, float eps, float[] dy) {
    float[] dx = new float[x.length];
    double[] dg = new double[c];
    for (int r = 0; r < (c == 0 ? 0 : x.length / c); r++) {
      double ms = 0;
      for (int j = 0; j < c; j++) {
        ms += (double) x[r * c + j] * x[r * c + j];
      }
      double rrms = 1 / Math.sqrt(ms / c + eps);
      double dot = 0;
      for (int j = 0; j < c; j++) {
        dot += (double) dy[r * c + j] * gamma[j] * x[r * c + j];
        dg[j] += dy[r * c + j] * x[r * c + j] * rrms;
      }
      for (int j = 0; j < c; j++) {
        double g = dy[r * c + j] * gamma[j];
        dx[r * c + j] = (float) (rrms * g - x[r * c + j] * rrms * rrms * rrms * dot / c);
      }
    }
    return new float[][] {dx, toFloat(dg)};
  }

  // ---- Embeddings, dropout, loss ----

  /** Rows of {@code table} (V, C) picked by {@code ids}. */
  public static float[] embedding(float[] table, int vocab, int c, int[] ids) {
    float[] y = new float[ids.length * c];
    for (int i = 0; i < ids.length; i++) {
      int id = ids[i];
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "embedding: id " + id + " at position " + i + " is outside the vocabulary [0, " + vocab + ")");
      }
      System.arraycopy(table, id * c, y, i * c, c);
    }
    return y;
  }

  /** Scatter-add of {@code dy} rows into a (V, C) table. */
  public static float[] embeddingBackward(int[] ids, float[] dy, int vocab, int c) {
    double[] acc = new double[vocab * c];
    for (int i = 0; i < ids.length; i++) {
      for (int j = 0; j < c; j++) {
        acc[ids[i] * c + j] += dy[i * c + j];
      }
    }
    return toFloat(acc);
  }

  /** Inverted dropout with the counter-based mask of {@link Dropout}. */
  public static float[] dropout(float[] x, float p, long seed) {
    float[] y = new float[x.length];
    if (p <= 0) {
      System.arraycopy(x, 0, y, 0, x.length);
      return y;
    }
    float scale = 1f / (1f - p);
    for (int i = 0; i < x.length; i++) {
      y[i] = Dropout.keep(seed, i, p) ? x[i] * scale : 0f;
    }
    return y;
  }

  /** Mean cross-entropy; see the SPI. */
  public static float crossEntropy(
      float[] logits, int n, int v, int[] targets, int ignoreIndex, float smoothing) {
    double total = 0;
    int counted = 0;
    for (int r = 0; r < n; r++) {
      int t = targets[r];
      if (t == ignoreIndex) {
        continue;
      }
      checkTarget(t, r, v);
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < v; j++) {
        max = Math.max(max, logits[r * v + j]);
      }
      double sum = 0;
      double sumLogits = 0;
      for (int j = 0; j < v; j++) {
        sum += Math.exp(logits[r * v + j] - max);
        sumLogits += logits[r * v + j];
      }
      double lse = max + Math.log(sum);
      double nll = lse - logits[r * v + t];
      double smooth = lse - sumLogits / v;
      total += (1 - smoothing) * nll + smoothing * smooth;
      counted++;
    }
    return counted == 0 ? 0f : (float) (total / counted);
  }

  /** Gradient of the mean cross-entropy with respect to the logits. */
  public static float[] crossEntropyBackward(
      float[] logits, int n, int v, int[] targets, int ignoreIndex, float smoothing, float dLoss) {
    float[] d = new float[logits.length];
    int counted = 0;
    for (int r = 0; r < n; r++) {
      if (targets[r] != ignoreIndex) {
        counted++;
      }
    }
    if (counted == 0) {
      return d;
    }
    double scale = dLoss / (double) counted;
    for (int r = 0; r < n; r++) {
      int t = targets[r];
      if (t == ignoreIndex) {
        continue;
      }
      checkTarget(t, r, v);
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < v; j++) {
        max = Math.max(max, logits[r * v + j]);
      }
      double sum = 0;
      for (int j = 0; j < v; j++) {
        sum += Math.exp(logits[r * v + j] - max);
      }
      for (int j = 0; j < v; j++) {
        double p = Math.exp(logits[r * v + j] - max) / sum;
        double target = (j == t ? 1 - smoothing : 0) + smoothing / v;
        d[r * v + j] = (float) ((p - target) * scale);
      }
    }
    return d;
  }

  private static void checkTarget(int t, int row, int v) {
    if (t < 0 || t >= v) {
      throw new IllegalArgumentException(
          "cross_entropy: target " + t + " at row " + row + " is outside [0, " + v + ")");
    }
  }

  private static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  // ---- Recurrent step: the naive oracle, one element at a time in double ----

  private static double sig(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** {@code h·W_hhᵀ + b_hh} for row {@code r}, gate column {@code j}. */
  private static double hidden(float[] h, float[] whh, float[] bhh, int hs, int r, int j) {
    double s = bhh == null ? 0 : bhh[j];
    for (int k = 0; k < hs; k++) {
      s += (double) h[r * hs + k] * whh[j * hs + k];
    }
    return s;
  }

  /**
   * One recurrent step (see {@code ComputeBackend.recurrentStep}) over rows of width {@code hs}:
   * {@code {state, saved}}, saved null for the RNN.
   */
  public static float[][] recurrentStep(
      RecurrentCell cell, float[] gx, float[] h, float[] c, float[] whh, float[] bhh, int hs) {
    int b = h.length / Math.max(1, hs);
    int g = cell.gates() * hs;
    int sw = cell.hasCell() ? 2 * hs : hs;
    float[] state = new float[b * sw];
    float[] saved = cell.savedBlocks() == 0 ? null : new float[b * 4 * hs];
    for (int r = 0; r < b; r++) {
      for (int j = 0; j < hs; j++) {
        switch (cell) {
          case RNN_TANH, RNN_RELU -> {
            double pre = gx[r * g + j] + hidden(h, whh, bhh, hs, r, j);
            state[r * sw + j] = (float) (cell == RecurrentCell.RNN_TANH ? Math.tanh(pre) : Math.max(0, pre));
          }
          case LSTM -> {
            double i = sig(gx[r * g + j] + hidden(h, whh, bhh, hs, r, j));
            double f = sig(gx[r * g + hs + j] + hidden(h, whh, bhh, hs, r, hs + j));
            double gg = Math.tanh(gx[r * g + 2 * hs + j] + hidden(h, whh, bhh, hs, r, 2 * hs + j));
            double o = sig(gx[r * g + 3 * hs + j] + hidden(h, whh, bhh, hs, r, 3 * hs + j));
            double c2 = f * c[r * hs + j] + i * gg;
            state[r * sw + j] = (float) (o * Math.tanh(c2));
            state[r * sw + hs + j] = (float) c2;
            int at = r * 4 * hs + j;
            saved[at] = (float) i;
            saved[at + hs] = (float) f;
            saved[at + 2 * hs] = (float) gg;
            saved[at + 3 * hs] = (float) o;
          }
          case GRU -> {
            double rr = sig(gx[r * g + j] + hidden(h, whh, bhh, hs, r, j));
            double z = sig(gx[r * g + hs + j] + hidden(h, whh, bhh, hs, r, hs + j));
            double ghn = hidden(h, whh, bhh, hs, r, 2 * hs + j);
            double n = Math.tanh(gx[r * g + 2 * hs + j] + rr * ghn);
            state[r * sw + j] = (float) ((1 - z) * n + z * h[r * hs + j]);
            int at = r * 4 * hs + j;
            saved[at] = (float) rr;
            saved[at + hs] = (float) z;
            saved[at + 2 * hs] = (float) n;
            saved[at + 3 * hs] = (float) ghn;
          }
        }
      }
    }
    return new float[][] {state, saved};
  }

  /** Gradients of {@link #recurrentStep}: {@code {dgx, dh, dc, dW_hh, db_hh}}. */
  public static float[][] recurrentStepBackward(
      RecurrentCell cell, float[] h, float[] c, float[] whh, boolean hasBias, float[] state,
      float[] saved, float[] dState, int hs) {
    int b = h.length / Math.max(1, hs);
    int g = cell.gates() * hs;
    int sw = cell.hasCell() ? 2 * hs : hs;
    double[] dgx = new double[b * g];
    double[] dgh = new double[b * g];
    double[] dh = new double[b * hs];
    float[] dc = cell.hasCell() ? new float[b * hs] : null;
    for (int r = 0; r < b; r++) {
      for (int j = 0; j < hs; j++) {
        double d = dState[r * sw + j];
        switch (cell) {
          case RNN_TANH -> {
            double y = state[r * sw + j];
            dgx[r * g + j] = d * (1 - y * y);
          }
          case RNN_RELU -> dgx[r * g + j] = state[r * sw + j] > 0 ? d : 0;
          case LSTM -> {
            int at = r * 4 * hs + j;
            double i = saved[at];
            double f = saved[at + hs];
            double gg = saved[at + 2 * hs];
            double o = saved[at + 3 * hs];
            double tc = Math.tanh(state[r * sw + hs + j]);
            double dct = dState[r * sw + hs + j] + d * o * (1 - tc * tc);
            dgx[r * g + j] = dct * gg * i * (1 - i);
            dgx[r * g + hs + j] = dct * c[r * hs + j] * f * (1 - f);
            dgx[r * g + 2 * hs + j] = dct * i * (1 - gg * gg);
            dgx[r * g + 3 * hs + j] = d * tc * o * (1 - o);
            dc[r * hs + j] = (float) (dct * f);
          }
          case GRU -> {
            int at = r * 4 * hs + j;
            double rr = saved[at];
            double z = saved[at + hs];
            double n = saved[at + 2 * hs];
            double ghn = saved[at + 3 * hs];
            double dn = d * (1 - z) * (1 - n * n);
            double dz = d * (h[r * hs + j] - n) * z * (1 - z);
            double dr = dn * ghn * rr * (1 - rr);
            dgx[r * g + j] = dr;
            dgx[r * g + hs + j] = dz;
            dgx[r * g + 2 * hs + j] = dn;
            dgh[r * g + 2 * hs + j] = dn * rr;
            dh[r * hs + j] += d * z;
          }
        }
      }
      for (int j = 0; j < g; j++) {
        if (cell != RecurrentCell.GRU || j < 2 * hs) {
          dgh[r * g + j] = dgx[r * g + j];
        }
      }
    }
    float[] dw = new float[g * hs];
    float[] db = hasBias ? new float[g] : null;
    for (int j = 0; j < g; j++) {
      double sb = 0;
      for (int r = 0; r < b; r++) {
        sb += dgh[r * g + j];
      }
      if (db != null) {
        db[j] = (float) sb;
      }
      for (int k = 0; k < hs; k++) {
        double s = 0;
        for (int r = 0; r < b; r++) {
          s += dgh[r * g + j] * h[r * hs + k];
        }
        dw[j * hs + k] = (float) s;
      }
    }
    float[] dhOut = new float[b * hs];
    float[] dgxOut = new float[b * g];
    for (int r = 0; r < b; r++) {
      for (int k = 0; k < hs; k++) {
        double s = dh[r * hs + k];
        for (int j = 0; j < g; j++) {
          s += dgh[r * g + j] * whh[j * hs + k];
        }
        dhOut[r * hs + k] = (float) s;
      }
      for (int j = 0; j < g; j++) {
        dgxOut[r * g + j] = (float) dgx[r * g + j];
      }
    }
    return new float[][] {dgxOut, dhOut, dc, dw, db};
  }
}
