package io.github.transformers4j.api.reference;

/** Special functions the JDK lacks, accurate to double precision where kernels need them. */
public final class MathFunctions {
  /** sqrt(2/π), the constant of GELU's tanh approximation. */
  public static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

  private MathFunctions() {}

  /**
   * The error function. Maclaurin series for |x| < 2.5 (cancellation costs at most ~3 of the 16
   * digits there), the continued fraction of erfc beyond; absolute error below 1e-13.
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    double ax = Math.abs(x);
    double r;
    if (ax < 2.5) {
      // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
      double term = ax;
      double sum = ax;
      double x2 = ax * ax;
      for (int n = 1; n < 200; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else if (ax > 6) {
      r = 1;
    } else {
      r = 1 - erfcLarge(ax);
    }
    return x < 0 ? -r : r;
  }

  // erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), for x >= 2.5,
  // evaluated from the tail; 80 levels are far more than needed at these arguments.
  private static double erfcLarge(double x) {
    double f = x;
    for (int k = 80; k >= 1; k--) {
      f = x + (k / 2.0) / f;
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  }
}
