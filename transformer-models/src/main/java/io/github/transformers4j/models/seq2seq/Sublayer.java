package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.NormPlacement;
import java.util.function.UnaryOperator;

/** The residual connection around a sublayer with its LayerNorm, in either placement (§5.4). */
final class Sublayer {
  private Sublayer() {}

  /** POST: {@code LN(x + drop(f(x)))}; PRE: {@code x + drop(f(LN(x)))}. */
  static Tensor residual(
      Ops ops, NormPlacement placement, LayerNorm norm, Dropout drop, Tensor x, UnaryOperator<Tensor> f) {
    if (placement == NormPlacement.PRE) {
      return ops.add(x, drop.forward(f.apply(norm.forward(x))));
    }
    return norm.forward(ops.add(x, drop.forward(f.apply(x))));
  }
}
