package io.github.transformers4j.api;

/** Reductions along one axis. */
public enum ReduceOp {
  SUM,
  MEAN,
  MAX
}
