package io.github.transformers4j.models.gpt;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.layers.AttentionCache;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.FeedForward;
import io.github.transformers4j.models.layers.FusedQkvAttention;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * One GPT-2 block, pre-LN: {@code x = x + attn(ln_1(x))}, then {@code x = x + mlp(ln_2(x))}.
 * Checkpoint names {@code ln_1}, {@code attn.c_attn}, {@code attn.c_proj}, {@code ln_2}, {@code
 * mlp.c_fc}, {@code mlp.c_proj}.
 */
final class Gpt2Block extends AbstractModule {
  private final LayerNorm ln1;
  private final FusedQkvAttention attn;
  private final LayerNorm ln2;
  private final FeedForward mlp;
  private final Dropout residDropout;

  Gpt2Block(Ops ops, Gpt2Config c, AttentionProvider attention, SplittableRandom rng) {
    super(ops);
    // GPT-2 scales the residual projections by 1/√(2·layers): two residual adds per block.
    double projStd = c.initializerRange() / Math.sqrt(2.0 * c.nLayer());
    this.ln1 = child("ln_1", new LayerNorm(ops, c.nEmbd(), c.layerNormEpsilon()));
    this.attn =
        child(
            "attn",
            new FusedQkvAttention(
                ops, c.nEmbd(), c.nHead(), attention, c.attnPdrop(), rng, c.initializerRange(),
                projStd));
    this.ln2 = child("ln_2", new LayerNorm(ops, c.nEmbd(), c.layerNormEpsilon()));
    this.mlp =
        child(
            "mlp",
            new FeedForward(
                ops, c.nEmbd(), c.nInner(), c.activation(), FeedForward.Names.GPT2, rng,
                c.initializerRange(), projStd));
    this.residDropout = child("resid_dropout", new Dropout(ops, c.residPdrop()));
  }

  /** {@code x} (B, T, C) → (B, T, C). */
  Tensor forward(Tensor x, Tensor mask, AttentionCache cache) {
    x = ops.add(x, residDropout.forward(attn.forward(ln1.forward(x), mask, cache)));
    return ops.add(x, residDropout.forward(mlp.forward(ln2.forward(x))));
  }
}
