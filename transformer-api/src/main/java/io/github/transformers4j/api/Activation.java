package io.github.transformers4j.api;

/** Pointwise nonlinearities, each with a backward kernel. */
public enum Activation {
  /** max(0, x), as in the original Transformer's feed-forward network. */
  RELU,
  /** Exact GELU: x·Φ(x) with the Gaussian CDF, as in BERT. */
  GELU,
  /** GELU's tanh approximation ({@code gelu_new}), as in GPT-2. */
  GELU_TANH,
  /** x·σ(x), also called swish. */
  SILU,
  /** Hyperbolic tangent. */
  TANH,
  /** Logistic sigmoid. */
  SIGMOID
}
