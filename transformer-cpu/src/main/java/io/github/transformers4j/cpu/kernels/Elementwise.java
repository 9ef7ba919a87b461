package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.Dropout;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.UnaryOp;
import io.github.transformers4j.cpu.exec.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels: broadcasting binary arithmetic, unary functions, affine maps, activations
 * and their backward, broadcast copies and dropout. Loops are SIMD where the math is plain
 * arithmetic and split over the pool when the tensor is large.
 */
public final class Elementwise {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();

  /** Elements per chunk below which splitting over threads costs more than it saves. */
  static final int GRAIN = 1 << 15;

  private Elementwise() {}

  /** {@code a op b} broadcast to {@code out}. */
  public static float[] binary(
      Parallel par, BinaryOp op, float[] a, Shape sa, float[] b, Shape sb, Shape out) {
    float[] y = new float[out.size()];
    if (sa.equals(out) && sb.equals(out)) {
      par.forRange(y.length, GRAIN, (s, e) -> vv(op, a, s, b, s, y, s, e - s));
      return y;
    }
    if (sb.size() == 1 && sa.equals(out)) {
      float bv = b[0];
      par.forRange(y.length, GRAIN, (s, e) -> vs(op, a, s, bv, y, s, e - s));
      return y;
    }
    if (sa.size() == 1 && sb.equals(out)) {
      float av = a[0];
      par.forRange(y.length, GRAIN, (s, e) -> sv(op, av, b, s, y, s, e - s));
      return y;
    }
    // Row walk: covers bias adds ((B, T, C) + (C)), masks, (B, T, 1) scales and the rest.
    Broadcast ba = new Broadcast(sa, out);
    Broadcast bb = new Broadcast(sb, out);
    int n = ba.rowLength;
    par.forRange(
        ba.rows,
        Math.max(1, GRAIN / Math.max(1, n)),
        (s, e) -> {
          for (int r = s; r < e; r++) {
            int ao = ba.rowBase(r);
            int bo = bb.rowBase(r);
            int yo = r * n;
            if (ba.innerStride == 1 && bb.innerStride == 1) {
              vv(op, a, ao, b, bo, y, yo, n);
            } else if (ba.innerStride == 1) {
              vs(op, a, ao, b[bo], y, yo, n);
            } else if (bb.innerStride == 1) {
              sv(op, a[ao], b, bo, y, yo, n);
            } else {
              java.util.Arrays.fill(y, yo, yo + n, op.apply(a[ao], b[bo]));
            }
          }
        });
    return y;
  }

  private static void vv(
      BinaryOp op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
    int bound = S.loopBound(n);
    int i = 0;
    switch (op) {
      case ADD:
        for (; i < bound; i += VL) {
          FloatVector.fromArray(S, a, ao + i)
              .add(FloatVector.fromArray(S, b, bo + i))
              .intoArray(y, yo + i);
        }
        break;
      case SUB:
        for (; i < bound; i += VL) {
          FloatVector.fromArray(S, a, ao + i)
              .sub(FloatVector.fromArray(S, b, bo + i))
              .intoArray(y, yo + i);
        }
        break;
      case MUL:
        for (; i < bound; i += VL) {
          FloatVector.fromArray(S, a, ao + i)
              .mul(FloatVector.fromArray(S, b, bo + i))
              .intoArray(y, yo + i);
        }
        break;
      default:
        for (; i < bound; i += VL) {
          FloatVector.fromArray(S, a, ao + i)
              .div(FloatVector.fromArray(S, b, bo + i))
              .intoArray(y, yo + i);
        }
    }
    for (; i < n; i++) {
      y[yo + i] = op.apply(a[ao + i], b[bo + i]);
    }
  }

  private static void vs(BinaryOp op, float[] a, int ao, float bv, float[] y, int yo, int n) {
    int bound = S.loopBound(n);
    int i = 0;
    switch (op) {
      case ADD:
        for (; i < bound; i += VL) {
          FloatVector.fromArray(S, a, ao + i).add(bv).intoArray(y, yo + i);
        }
        break;
      case SUB:
        for (; i < bound; i += VL) {
          FloatVector.fromArray(S, a, ao + i).sub(bv).intoArray(y, yo + i);
        }
        break;
      case MUL:
        for (; i < bound; i += VL) {
          FloatVector.fromArray(S, a, ao + i).mul(bv).intoArray(y, yo + i);
        }
        break;
      default:
        for (; i < bound; i += VL) {
          FloatVector.fromArray(S, a, ao + i).div(bv).intoArray(y, yo + i);
        }
    }
    for (; i < n; i++) {
      y[yo + i] = op.apply(a[ao + i], bv);
    }
  }

  private static void sv(BinaryOp op, float av, float[] b, int bo, float[] y, int yo, int n) {
    int bound = S.loopBound(n);
    int i = 0;
    FloatVector va = FloatVector.broadcast(S, av);
    switch (op) {
      case ADD:
        for (; i < bound; i += VL) {
          va.add(FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
        }
        break;
      case SUB:
        for (; i < bound; i += VL) {
          va.sub(FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
        }
        break;
      case MUL:
        for (; i < bound; i += VL) {
          va.mul(FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
        }
        break;
      default:
        for (; i < bound; i += VL) {
          va.div(FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
        }
    }
    for (; i < n; i++) {
      y[yo + i] = op.apply(av, b[bo + i]);
    }
  }

  /** {@code x} copied to the broadcast shape {@code out}. */
  public static float[] broadcastTo(Parallel par, float[] x, Shape sx, Shape out) {
    float[] y = new float[out.size()];
    Broadcast bx = new Broadcast(sx, out);
    int n = bx.rowLength;
    par.forRange(
        bx.rows,
        Math.max(1, GRAIN / Math.max(1, n)),
        (s, e) -> {
          for (int r = s; r < e; r++) {
            int xo = bx.rowBase(r);
            if (bx.innerStride == 1) {
              System.arraycopy(x, xo, y, r * n, n);
            } else {
              java.util.Arrays.fill(y, r * n, r * n + n, x[xo]);
            }
          }
        });
    return y;
  }

  /** {@code f(x)}, bit-for-bit {@link UnaryOp#apply} on every element. */
  public static float[] unary(Parallel par, UnaryOp op, float[] x) {
    float[] y = new float[x.length];
    par.forRange(
        x.length,
        GRAIN,
        (s, e) -> {
          int i = s;
          int bound = s + S.loopBound(e - s);
          switch (op) {
            case NEG:
              for (; i < bound; i += VL) {
                FloatVector.fromArray(S, x, i).neg().intoArray(y, i);
              }
              break;
            case SQUARE:
              for (; i < bound; i += VL) {
                FloatVector v = FloatVector.fromArray(S, x, i);
                v.mul(v).intoArray(y, i);
              }
              break;
            case ABS:
              for (; i < bound; i += VL) {
                FloatVector.fromArray(S, x, i).abs().intoArray(y, i);
              }
              break;
            case SQRT:
              // Correctly rounded in both, so identical to (float) Math.sqrt(x).
              for (; i < bound; i += VL) {
                FloatVector.fromArray(S, x, i).lanewise(VectorOperators.SQRT).intoArray(y, i);
              }
              break;
            default:
              // EXP and LOG: Math's intrinsics, so results equal UnaryOp.apply exactly.
              break;
          }
          for (; i < e; i++) {
            y[i] = op.apply(x[i]);
          }
        });
    return y;
  }

  /** {@code x·scale + shift}. */
  public static float[] affine(Parallel par, float[] x, float scale, float shift) {
    float[] y = new float[x.length];
    par.forRange(
        x.length,
        GRAIN,
        (s, e) -> {
          int i = s;
          int bound = s + S.loopBound(e - s);
          FloatVector vs = FloatVector.broadcast(S, scale);
          FloatVector vb = FloatVector.broadcast(S, shift);
          for (; i < bound; i += VL) {
            FloatVector.fromArray(S, x, i).fma(vs, vb).intoArray(y, i);
          }
          for (; i < e; i++) {
            y[i] = Math.fma(x[i], scale, shift);
          }
        });
    return y;
  }

  /** {@code f(x)} for a nonlinearity; transcendental ones are evaluated in double. */
  public static float[] activation(Parallel par, Activation f, float[] x) {
    float[] y = new float[x.length];
    par.forRange(
        x.length,
        GRAIN / 4,
        (s, e) -> {
          int i = s;
          int bound = s + S.loopBound(e - s);
          switch (f) {
            case RELU -> {
              for (; i < bound; i += VL) {
                FloatVector.fromArray(S, x, i).max(0f).intoArray(y, i);
              }
            }
            case GELU -> {
              // 0.5·x·(1 + erf(x/√2)) in float: the scalar double path took half a BERT forward.
              for (; i < bound; i += VL) {
                FloatVector v = FloatVector.fromArray(S, x, i);
                FloatVector erf = VMath.erf(v.mul((float) INV_SQRT2));
                v.mul(0.5f).mul(erf.add(1f)).intoArray(y, i);
              }
            }
            case GELU_TANH, SILU, SIGMOID -> {
              // x·σ(2u) with u = √(2/π)(x + 0.044715x³) (that is 0.5x(1 + tanh u)), x·σ(x), σ(x):
              // written with e^(−z) so no lane cancels; e^(−z) saturating for very negative z only
              // makes a result that is ~0 anyway.
              for (; i < bound; i += VL) {
                FloatVector v = FloatVector.fromArray(S, x, i);
                FloatVector z =
                    f == Activation.GELU_TANH
                        ? v.mul(v)
                            .mul(v)
                            .fma(FloatVector.broadcast(S, 0.044715f), v)
                            .mul((float) (2 * SQRT_2_OVER_PI))
                        : v;
                FloatVector sig = VMath.exp(z.neg()).add(1f);
                FloatVector out = f == Activation.SIGMOID ? FloatVector.broadcast(S, 1f) : v;
                // The exponential clamps its input, so NaN lanes are restored explicitly, and
                // −∞ gives NaN (−∞·0) as the scalar definition does, not −∞/e^88.
                out = out.div(sig).blend(v, v.test(VectorOperators.IS_NAN));
                if (f != Activation.SIGMOID) {
                  out = out.blend(Float.NaN, v.eq(Float.NEGATIVE_INFINITY));
                }
                out.intoArray(y, i);
              }
            }
            default -> {}
          }
          for (; i < e; i++) {
            y[i] = (float) activate(f, x[i]);
          }
        });
    return y;
  }

  /** {@code dy·f'(x)}. */
  public static float[] activationBackward(Parallel par, Activation f, float[] x, float[] dy) {
    float[] dx = new float[x.length];
    par.forRange(
        x.length,
        GRAIN / 4,
        (s, e) -> {
          int i = s;
          if (f == Activation.GELU_TANH || f == Activation.SILU || f == Activation.SIGMOID) {
            // All three through s = σ(z) with the SIMD exponential (the scalar Math.tanh took ~5%
            // of a training step): GELU-tanh with z = 2u, where 0.5(1 + tanh u) = s and
            // 1 − tanh²u = 4s(1 − s), so f' = s + 2x·s(1 − s)·u'; SiLU s(1 + x(1 − s)); σ s(1 − s).
            FloatVector c3 = FloatVector.broadcast(S, 0.044715f);
            for (int bound = s + S.loopBound(e - s); i < bound; i += VL) {
              FloatVector v = FloatVector.fromArray(S, x, i);
              // GELU-tanh's u is clamped where s is already exactly 0 or 1 (|x| ≥ 20), so x³
              // cannot overflow into ∞·0.
              FloatVector vc = f == Activation.GELU_TANH ? v.max(-20f).min(20f) : v;
              FloatVector z =
                  f == Activation.GELU_TANH
                      ? vc.mul(vc).mul(vc).fma(c3, vc).mul((float) (2 * SQRT_2_OVER_PI))
                      : v;
              // e^(−z), VMath.exp written out: whether C2 inlines a 212-byte callee depends on the
              // profile at compile time, and when it did not, FloatVectors crossed the call and
              // some training runs went 4× slower.
              FloatVector xn = z.neg();
              VectorMask<Float> underflow = xn.lt(VMath.EXP_LO);
              FloatVector xc = xn.min(VMath.EXP_HI).max(VMath.EXP_LO);
              FloatVector t = xc.mul(VMath.LOG2E).add(VMath.ROUND);
              FloatVector n = t.sub(VMath.ROUND);
              IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(VMath.ROUND));
              FloatVector r = xc.sub(n.mul(VMath.LN2_HI)).sub(n.mul(VMath.LN2_LO));
              FloatVector q = FloatVector.broadcast(S, 1.9875691500e-4f);
              q = q.mul(r).add(1.3981999507e-3f);
              q = q.mul(r).add(8.3334519073e-3f);
              q = q.mul(r).add(4.1665795894e-2f);
              q = q.mul(r).add(1.6666665459e-1f);
              q = q.mul(r).add(5.0000001201e-1f);
              FloatVector y = q.mul(r.mul(r)).add(r).add(1f);
              FloatVector scale =
                  ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
              FloatVector ez = y.mul(scale).blend(0f, underflow);
              FloatVector sg = FloatVector.broadcast(S, 1f).div(ez.add(1f));
              FloatVector sp = sg.sub(sg.mul(sg)); // s(1 − s)
              FloatVector d;
              if (f == Activation.GELU_TANH) {
                FloatVector du =
                    vc.mul(vc).fma(3 * 0.044715f, 1f).mul((float) (2 * SQRT_2_OVER_PI));
                d = vc.mul(sp).fma(du, sg);
              } else if (f == Activation.SILU) {
                d = v.fma(sp, sg);
              } else {
                d = sp;
              }
              // The exponential clamps its input: NaN lanes, and the infinite ones that the
              // scalar definition makes NaN (∞·0), are restored explicitly.
              VectorMask<Float> bad = v.test(VectorOperators.IS_NAN);
              if (f != Activation.SIGMOID) {
                bad = bad.or(v.test(VectorOperators.IS_INFINITE));
              }
              d.blend(Float.NaN, bad).mul(FloatVector.fromArray(S, dy, i)).intoArray(dx, i);
            }
          }
          for (; i < e; i++) {
            dx[i] = (float) (dy[i] * derivative(f, x[i]));
          }
        });
    return dx;
  }

  static final double INV_SQRT2 = 0.7071067811865476;
  static final double INV_SQRT_2PI = 0.3989422804014327;
  static final double SQRT_2_OVER_PI = 0.7978845608028654;

  /** The nonlinearity at {@code x}, in double. */
  public static double activate(Activation f, double x) {
    switch (f) {
      case RELU:
        return x > 0 ? x : 0;
      case GELU:
        return 0.5 * x * (1 + VMath.erf(x * INV_SQRT2));
      case GELU_TANH:
        return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
      case SILU:
        return x / (1 + Math.exp(-x));
      case TANH:
        return Math.tanh(x);
      default:
        return 1 / (1 + Math.exp(-x));
    }
  }

  /** The derivative of the nonlinearity at {@code x}, in double. */
  public static double derivative(Activation f, double x) {
    switch (f) {
      case RELU:
        return x > 0 ? 1 : 0;
      case GELU:
        return 0.5 * (1 + VMath.erf(x * INV_SQRT2)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
      case GELU_TANH:
        {
          double t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
          double du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
          return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
        }
      case SILU:
        {
          double sg = 1 / (1 + Math.exp(-x));
          return sg * (1 + x * (1 - sg));
        }
      case TANH:
        {
          double t = Math.tanh(x);
          return 1 - t * t;
        }
      default:
        {
          double sg = 1 / (1 + Math.exp(-x));
          return sg * (1 - sg);
        }
    }
  }

  /** Inverted dropout with the counter-based mask of {@link Dropout#keep}. */
  public static float[] dropout(Parallel par, float[] x, float p, long seed) {
    if (p <= 0f) {
      return x.clone();
    }
    float[] y = new float[x.length];
    float scale = 1f / (1f - p);
    par.forRange(
        x.length,
        GRAIN,
        (s, e) -> {
          for (int i = s; i < e; i++) {
            y[i] = Dropout.keep(seed, i, p) ? x[i] * scale : 0f;
          }
        });
    return y;
  }
}
