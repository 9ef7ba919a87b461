package io.github.transformers4j.api;

/** Elementwise unary functions; their derivatives are composed by the autograd tape. */
public enum UnaryOp {
  NEG,
  EXP,
  LOG,
  SQRT,
  SQUARE,
  ABS;

  /** Applies the function to a scalar; the definition every kernel must agree with. */
  public float apply(float x) {
    switch (this) {
      case NEG:
        return -x;
      case EXP:
        return (float) Math.exp(x);
      case LOG:
        return (float) Math.log(x);
      case SQRT:
        return (float) Math.sqrt(x);
      case SQUARE:
        return x * x;
      default:
        return Math.abs(x);
    }
  }
}
