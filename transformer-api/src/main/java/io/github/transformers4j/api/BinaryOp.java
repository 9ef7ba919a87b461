package io.github.transformers4j.api;

/** Elementwise binary arithmetic with numpy broadcasting. */
public enum BinaryOp {
  ADD,
  SUB,
  MUL,
  DIV;

  /** Applies the operation to two scalars; the definition every kernel must agree with. */
  public float apply(float a, float b) {
    switch (this) {
      case ADD:
        return a + b;
      case SUB:
        return a - b;
      case MUL:
        return a * b;
      default:
        return a / b;
    }
  }
}
