package io.github.transformers4j.api.spi;

/** Reductions along one axis. */
public enum ReduceOp {
  SUM,
  MEAN,
  MAX
}
