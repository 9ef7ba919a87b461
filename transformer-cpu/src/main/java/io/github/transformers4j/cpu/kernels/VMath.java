package io.github.transformers4j.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Math the kernels need that neither {@link Math} nor the Vector API gives fast and accurately
 * enough: an error function accurate to 1e-12 for exact GELU, and a SIMD exponential for
 * softmax-like loops (the Vector API's {@code EXP} lanewise op is a slow scalar fallback on some
 * JDKs and platforms).
 */
public final class VMath {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();

  private VMath() {}

  /**
   * The error function with absolute error below 1e-12 (checked against a high-precision series in
   * the tests). {@code erf(x) = x·P(x²)} on |x| ≤ 1 and {@code 1 − e^(−x²)·Q(x)} on 1 < |x| < 4,
   * and on 4 ≤ |x| < 6 (another Q), with P and Q Chebyshev fits (degrees 8, 14 and 10, fitted to
   * double-precision erf/erfc at 400 Chebyshev nodes); beyond 6, erfc(x) < 2.2e-17 and the result
   * is ±1. (Abramowitz–Stegun 7.1.26, the usual shortcut, errs by up to 1.5e-7.)
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    double ax = Math.abs(x);
    double r;
    if (ax <= 1) {
      r = ax * chebyshev(ERF_SMALL, 2 * ax * ax - 1);
    } else if (ax < 4) {
      // erfc(x)·e^(x²) is smooth on [1, 4]; map to [-1, 1].
      r = 1 - Math.exp(-ax * ax) * chebyshev(ERFCX_MID, (2 * ax - 5) / 3);
    } else if (ax < 6) {
      r = 1 - Math.exp(-ax * ax) * chebyshev(ERFCX_TAIL, ax - 5);
    } else {
      r = 1;
    }
    return x < 0 ? -r : r;
  }

  // Clenshaw's recurrence for Σ c_k T_k(u).
  private static double chebyshev(double[] c, double u) {
    double b1 = 0;
    double b2 = 0;
    double u2 = 2 * u;
    for (int k = c.length - 1; k >= 1; k--) {
      double t = u2 * b1 - b2 + c[k];
      b2 = b1;
      b1 = t;
    }
    return u * b1 - b2 + c[0];
  }

  private static final double[] ERF_SMALL = {
    0.9754769393826545,
    -0.14226120510371354,
    0.010035582187599812,
    -0.0005768764699766968,
    2.7419931252246198e-05,
    -1.1043175506849675e-06,
    3.848875549292997e-08,
    -1.1808582499788296e-09,
    3.2334245979681997e-11,
  };
  private static final double[] ERFCX_MID = {
    0.2444257528492359,
    -0.13589862891594595,
    0.03563511414853501,
    -0.008884098618222463,
    0.002118423997553161,
    -0.0004853987640800643,
    0.00010727375453773342,
    -2.2936634481900598e-05,
    4.756874691606859e-06,
    -9.589944833341213e-07,
    1.8829006882064994e-07,
    -3.606320664745235e-08,
    6.74760212096748e-09,
    -1.2349070147747116e-09,
    2.2131506083969816e-10,
  };

  private static final double[] ERFCX_TAIL = {
    0.11277819743166251,
    -0.021913497155272348,
    0.002091539784568749,
    -0.00019628624819123083,
    1.8126654238714157e-05,
    -1.6483628246507566e-06,
    1.4769699328210038e-07,
    -1.30474902521725e-08,
    1.136975352122802e-09,
    -9.778178061054726e-11,
    8.303209637671454e-12,
  };

  // Odd numerator and even denominator of a rational erf for floats on [-4, 4] (beyond which erf
  // rounds to ±1 in float), the fit Eigen and TensorFlow use; within 1e-6 of erf (see the tests).
  private static final float ERF_A1 = -1.60960333262415e-02f;
  private static final float ERF_A3 = -2.95459980854025e-03f;
  private static final float ERF_A5 = -7.34990630326855e-04f;
  private static final float ERF_A7 = -5.69250639462346e-05f;
  private static final float ERF_A9 = -2.10102402082508e-06f;
  private static final float ERF_A11 = 2.77068142495902e-08f;
  private static final float ERF_A13 = -2.72614225801306e-10f;
  private static final float ERF_B0 = -1.42647390514189e-02f;
  private static final float ERF_B2 = -7.37332916720468e-03f;
  private static final float ERF_B4 = -1.68282697438203e-03f;
  private static final float ERF_B6 = -2.13374055278905e-04f;
  private static final float ERF_B8 = -1.45660718464996e-05f;

  /**
   * erf lane-wise in float, within 1e-6 of the exact value: for exact GELU, whose double-precision
   * scalar path ({@link #erf(double)} and {@code Math.exp}) cost about half of a BERT forward. NaN
   * lanes stay NaN. Small enough for C2 to inline into the caller's loop.
   */
  public static FloatVector erf(FloatVector x) {
    FloatVector c = x.min(4f).max(-4f);
    FloatVector x2 = c.mul(c);
    FloatVector p = x2.fma(ERF_A13, ERF_A11);
    p = x2.fma(p, FloatVector.broadcast(S, ERF_A9));
    p = x2.fma(p, FloatVector.broadcast(S, ERF_A7));
    p = x2.fma(p, FloatVector.broadcast(S, ERF_A5));
    p = x2.fma(p, FloatVector.broadcast(S, ERF_A3));
    p = x2.fma(p, FloatVector.broadcast(S, ERF_A1));
    FloatVector q = x2.fma(ERF_B8, ERF_B6);
    q = x2.fma(q, FloatVector.broadcast(S, ERF_B4));
    q = x2.fma(q, FloatVector.broadcast(S, ERF_B2));
    q = x2.fma(q, FloatVector.broadcast(S, ERF_B0));
    // min/max map NaN to a bound on some platforms; put it back.
    return c.mul(p).div(q).blend(x, x.test(VectorOperators.IS_NAN));
  }

  static final float EXP_HI = 88.3f;
  static final float EXP_LO = -87.3f;
  static final float LOG2E = 1.44269504088896341f;
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  // 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer, kept in the low mantissa.
  static final float ROUND = 12582912f;

  /**
   * e^x lane-wise for x ≤ 88.3 (larger inputs saturate to e^88.3; the kernels only exponentiate x −
   * max ≤ 0), within 2 ulp of {@link Math#exp}; lanes below −87.3, −∞ included, give exactly 0.
   * Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r, and 2^n built in
   * the exponent bits. Small enough for C2 to inline into the caller's loop, so the vectors stay in
   * registers.
   */
  public static FloatVector exp(FloatVector x) {
    VectorMask<Float> underflow = x.lt(EXP_LO);
    FloatVector xc = x.min(EXP_HI).max(EXP_LO);
    FloatVector t = xc.mul(LOG2E).add(ROUND);
    FloatVector n = t.sub(ROUND);
    IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND));
    // LN2_HI has 9 significant bits, so n·LN2_HI is exact and r keeps full precision.
    FloatVector r = xc.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
    FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
    p = p.mul(r).add(1.3981999507e-3f);
    p = p.mul(r).add(8.3334519073e-3f);
    p = p.mul(r).add(4.1665795894e-2f);
    p = p.mul(r).add(1.6666665459e-1f);
    p = p.mul(r).add(5.0000001201e-1f);
    FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
    FloatVector scale = ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return y.mul(scale).blend(0f, underflow);
  }
}
