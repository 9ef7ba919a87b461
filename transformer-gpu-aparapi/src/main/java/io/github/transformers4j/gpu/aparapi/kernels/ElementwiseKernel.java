package io.github.transformers4j.gpu.aparapi.kernels;

import com.aparapi.Kernel;

/**
 * Every elementwise kernel in one OpenCL program, selected by an op code: binary arithmetic with
 * numpy broadcasting, unary functions, affine maps, activations and their backwards. One class
 * means one PoCL/driver compilation instead of five.
 *
 * <p>Range: 1D, global = size rounded up to the work-group size.
 *
 * <p>Exact GELU needs erf, which Aparapi does not map to OpenCL's {@code erf}; it is computed from
 * the Chebyshev fit of erfc in Numerical Recipes ({@code erfcc}, relative error below 1.2e-7
 * everywhere), which keeps the far negative tail accurate in relative terms too.
 */
public final class ElementwiseKernel extends Kernel {
  /** Highest tensor rank the broadcasting index supports. */
  public static final int MAX_RANK = 8;

  /** Op codes: binary ops (broadcasting) are 0–3 in {@code BinaryOp} order. */
  public static final int BINARY = 0;
  /** Unary ops are 10–15 in {@code UnaryOp} order. */
  public static final int UNARY = 10;
  /** {@code x·p0 + p1}. */
  public static final int AFFINE = 20;
  /** Activations are 30–35 in {@code Activation} order. */
  public static final int ACTIVATION = 30;
  /** Activation backwards {@code dy·f'(x)} are 40–45 in {@code Activation} order. */
  public static final int ACTIVATION_BACKWARD = 40;

  private float[] x = new float[1];
  private float[] y = new float[1];
  private float[] out = new float[1];
  // dims of the output, then strides of x, then strides of y (0 along broadcast axes).
  private final int[] meta = new int[3 * MAX_RANK];
  private int size;
  private int op;
  private int rank;
  private int broadcast;
  private float p0;
  private float p1;

  /** The broadcasting table, to fill before {@link #bind} and {@code put} after it changes. */
  public int[] meta() {
    return meta;
  }

  /**
   * Binds the operands for the next {@code execute}.
   *
   * @param y the second operand, or a dummy array for ops with one operand (Aparapi refuses null)
   * @param broadcast whether {@link #meta()} describes a broadcast of rank {@code rank}
   */
  public void bind(
      int op, float[] x, float[] y, float[] out, int size, boolean broadcast, int rank, float p0,
      float p1) {
    this.op = op;
    this.x = x;
    this.y = y;
    this.out = out;
    this.size = size;
    this.broadcast = broadcast ? 1 : 0;
    this.rank = rank;
    this.p0 = p0;
    this.p1 = p1;
  }

  @Override
  public void run() {
    int i = getGlobalId();
    if (i < size) {
      float r = 0f;
      if (op < UNARY) {
        int ia = i;
        int ib = i;
        if (broadcast == 1) {
          ia = 0;
          ib = 0;
          int rem = i;
          for (int d = rank - 1; d >= 0; d--) {
            int dim = meta[d];
            int pos = rem % dim;
            rem = rem / dim;
            ia += pos * meta[MAX_RANK + d];
            ib += pos * meta[2 * MAX_RANK + d];
          }
        }
        r = binaryOp(op, x[ia], y[ib]);
      } else if (op < AFFINE) {
        r = unaryOp(op - UNARY, x[i]);
      } else if (op == AFFINE) {
        r = x[i] * p0 + p1;
      } else if (op < ACTIVATION_BACKWARD) {
        r = activate(op - ACTIVATION, x[i]);
      } else {
        r = y[i] * derivative(op - ACTIVATION_BACKWARD, x[i]);
      }
      out[i] = r;
    }
  }

  float binaryOp(int code, float u, float v) {
    float r = u / v;
    if (code == 0) {
      r = u + v;
    } else if (code == 1) {
      r = u - v;
    } else if (code == 2) {
      r = u * v;
    }
    return r;
  }

  float unaryOp(int code, float v) {
    float r = abs(v);
    if (code == 0) {
      r = -v;
    } else if (code == 1) {
      r = exp(v);
    } else if (code == 2) {
      r = log(v);
    } else if (code == 3) {
      r = sqrt(v);
    } else if (code == 4) {
      r = v * v;
    }
    return r;
  }

  /** erfc(z) for z >= 0 (Numerical Recipes {@code erfcc}). */
  float erfcPositive(float z) {
    float t = 1f / (1f + 0.5f * z);
    float poly =
        -1.26551223f
            + t * (1.00002368f
                + t * (0.37409196f
                    + t * (0.09678418f
                        + t * (-0.18628806f
                            + t * (0.27886807f
                                + t * (-1.13520398f
                                    + t * (1.48851587f
                                        + t * (-0.82215223f + t * 0.17087277f))))))));
    return t * exp(-z * z + poly);
  }

  /** The standard normal CDF Φ(v) = erfc(−v/√2)/2, accurate in relative terms in both tails. */
  float normalCdf(float v) {
    float z = -v * 0.70710678f;
    float r = 0f;
    if (z >= 0f) {
      r = 0.5f * erfcPositive(z);
    } else {
      r = 1f - 0.5f * erfcPositive(-z);
    }
    return r;
  }

  float sigmoid(float v) {
    return 1f / (1f + exp(-v));
  }

  float activate(int code, float v) {
    float r = 0f;
    if (code == 0) {
      r = max(v, 0f);
    } else if (code == 1) {
      r = v * normalCdf(v);
    } else if (code == 2) {
      // 0.5·v·(1 + tanh(u)) = v·σ(2u), without the cancellation of 1 + tanh(u) for v << 0.
      r = v * sigmoid(2f * 0.7978845608f * (v + 0.044715f * v * v * v));
    } else if (code == 3) {
      r = v * sigmoid(v);
    } else if (code == 4) {
      r = tanh(v);
    } else {
      r = sigmoid(v);
    }
    return r;
  }

  float derivative(int code, float v) {
    float r = 0f;
    if (code == 0) {
      if (v > 0f) {
        r = 1f;
      }
    } else if (code == 1) {
      // Φ(v) + v·φ(v)
      r = normalCdf(v) + v * exp(-0.5f * v * v) * 0.3989422804f;
    } else if (code == 2) {
      // With s = σ(2u): 0.5·(1 + tanh u) = s and 1 − tanh²u = 4·s·σ(−2u).
      float u2 = 2f * 0.7978845608f * (v + 0.044715f * v * v * v);
      float s = sigmoid(u2);
      float du = 0.7978845608f * (1f + 3f * 0.044715f * v * v);
      r = s + 2f * v * s * sigmoid(-u2) * du;
    } else if (code == 3) {
      float s = sigmoid(v);
      r = s * (1f + v * sigmoid(-v));
    } else if (code == 4) {
      // 1 − tanh²v = 4·σ(2v)·σ(−2v), accurate where tanh v rounds to ±1.
      r = 4f * sigmoid(2f * v) * sigmoid(-2f * v);
    } else {
      r = sigmoid(v) * sigmoid(-v);
    }
    return r;
  }
}
