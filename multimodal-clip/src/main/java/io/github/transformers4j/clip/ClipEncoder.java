package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The stack of {@link ClipEncoderLayer}s of one tower, named {@code layers.0}, {@code layers.1}, .... */
final class ClipEncoder extends AbstractModule {
  private final List<ClipEncoderLayer> layers = new ArrayList<>();

  ClipEncoder(
      Ops ops,
      int width,
      int heads,
      int inner,
      int count,
      String act,
      float eps,
      float attentionDropout,
      double factor,
      AttentionProvider attention,
      SplittableRandom rng) {
    super(ops);
    for (int i = 0; i < count; i++) {
      layers.add(
          child(
              "layers." + i,
              new ClipEncoderLayer(
                  ops, width, heads, inner, act, eps, attentionDropout, count, factor, attention,
                  rng)));
    }
  }

  /** {@code x} (B, T, C) → (B, T, C) through every layer. */
  Tensor forward(Tensor x, Tensor mask, boolean causal) {
    for (ClipEncoderLayer layer : layers) {
      x = layer.forward(x, mask, causal);
    }
    return x;
  }
}
