package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.MultiHeadAttention;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Init;
import java.util.SplittableRandom;

/**
 * One pre-LN encoder layer of either tower: {@code x = x + self_attn(layer_norm1(x))}, then {@code
 * x = x + mlp(layer_norm2(x))}. Checkpoint names as Hugging Face's {@code CLIPEncoderLayer}: {@code
 * self_attn.{q,k,v,out}_proj}, {@code layer_norm1}, {@code mlp.fc1}, {@code mlp.fc2}, {@code
 * layer_norm2}.
 */
final class ClipEncoderLayer extends AbstractModule {
  private final LayerNorm layerNorm1;
  private final MultiHeadAttention selfAttn;
  private final LayerNorm layerNorm2;
  private final ClipMlp mlp;

  /**
   * A layer of width C initialized as Hugging Face's {@code CLIPPreTrainedModel._init_weights}:
   * q/k/v N(0, (C^-½·(2L)^-½·f)²), out_proj N(0, (C^-½·f)²), fc1 N(0, ((2C)^-½·f)²), fc2
   * N(0, (C^-½·(2L)^-½·f)²), biases 0, LayerNorms 1 and 0.
   */
  ClipEncoderLayer(
      Ops ops,
      int width,
      int heads,
      int inner,
      String act,
      float eps,
      float attentionDropout,
      int layers,
      double factor,
      AttentionProvider attention,
      SplittableRandom rng) {
    super(ops);
    double inStd = Math.pow(width, -0.5) * Math.pow(2.0 * layers, -0.5) * factor;
    double outStd = Math.pow(width, -0.5) * factor;
    this.layerNorm1 = child("layer_norm1", new LayerNorm(ops, width, eps));
    this.selfAttn =
        child(
            "self_attn",
            new MultiHeadAttention(
                ops, width, heads, MultiHeadAttention.Names.BART, attention, null,
                attentionDropout, rng, inStd));
    selfAttn.setParameter(
        "out_proj.weight",
        ops.tensor(Init.normal(rng.split(), width * width, outStd), width, width));
    this.layerNorm2 = child("layer_norm2", new LayerNorm(ops, width, eps));
    this.mlp =
        child(
            "mlp",
            new ClipMlp(ops, width, inner, act, rng, Math.pow(2.0 * width, -0.5) * factor, inStd));
  }

  /**
   * {@code x} (B, T, C) → (B, T, C).
   *
   * @param mask additive key mask broadcastable to (B, nh, T, T), or null
   * @param causal whether a position sees only itself and earlier ones (the text tower)
   */
  Tensor forward(Tensor x, Tensor mask, boolean causal) {
    x = ops.add(x, selfAttn.self(layerNorm1.forward(x), mask, causal, null, null));
    return ops.add(x, mlp.forward(layerNorm2.forward(x)));
  }
}
