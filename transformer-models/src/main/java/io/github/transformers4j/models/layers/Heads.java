package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;

/** The reshapes between the model width and the attention heads: C = nh · hs. */
final class Heads {
  private Heads() {}

  /** (B, T, C) → (B, nh, T, hs). */
  static Tensor split(Ops ops, Tensor x, int heads) {
    int b = x.shape().dim(0);
    int t = x.shape().dim(1);
    int c = x.shape().dim(2);
    return ops.permute(ops.reshape(x, b, t, heads, c / heads), 0, 2, 1, 3);
  }

  /** (B, nh, T, hs) → (B, T, C): the heads concatenated. */
  static Tensor merge(Ops ops, Tensor x) {
    int b = x.shape().dim(0);
    int nh = x.shape().dim(1);
    int t = x.shape().dim(2);
    int hs = x.shape().dim(3);
    return ops.reshape(ops.permute(x, 0, 2, 1, 3), b, t, nh * hs);
  }
}
