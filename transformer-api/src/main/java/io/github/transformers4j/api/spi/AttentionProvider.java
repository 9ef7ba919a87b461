package io.github.transformers4j.api.spi;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;

/**
 * An attention variant as a named plugin: how the heads turn queries, keys and values into
 * outputs. The projections around it belong to the layer; only the core {@code softmax(q·kᵀ·scale
 * + mask)·v} (or a variant of it) is pluggable. A model picks one by name from its configuration
 * (Hugging Face's {@code attn_implementation}: {@code sdpa}, {@code eager}).
 *
 * <p>Registered twice: {@code provides ... with ...} in {@code module-info.java} and a {@code
 * META-INF/services/io.github.transformers4j.api.spi.AttentionProvider} line.
 */
public interface AttentionProvider extends NamedProvider {

  /**
   * The attention of {@code q} (B, nh, Tq, hs) over {@code k}, {@code v} (B, nh, Tk, hs); {@code
   * mask} additive and broadcastable to (B, nh, Tq, Tk) or null; when {@code causal}, query i sees
   * key j only if j ≤ i + Tk − Tq (so a KV cache works). Result (B, nh, Tq, hs). Must compute
   * through {@code ops} so that gradients are recorded.
   */
  Tensor attend(Ops ops, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale);

  /**
   * {@link #attend} with dropout on the attention probabilities, as BERT and GPT-2 train: each
   * probability is zeroed with probability {@code dropout} and the others scaled by 1/(1 −
   * dropout), the mask drawn from {@code seed} as {@link Ops#dropout} draws it. Layers call this in
   * training; with {@code dropout} 0 it is {@link #attend}.
   *
   * <p>The default supports only {@code dropout} 0 and otherwise fails naming this variant: a
   * variant whose probabilities are not a softmax over keys decides itself what dropout means.
   */
  default Tensor attend(
      Ops ops, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale,
      float dropout, long seed) {
    if (dropout == 0f) {
      return attend(ops, q, k, v, mask, causal, scale);
    }
    throw new UnsupportedOperationException(
        "attention '" + name() + "' has no dropout on its probabilities (asked for " + dropout
            + "); set the attention dropout of the configuration to 0");
  }

  /**
   * {@link #attend} with an additive {@code bias} on the scores that, unlike the mask, is learned
   * and takes a gradient: {@code softmax(q·kᵀ·scale + bias + mask)·v}, {@code bias} broadcastable
   * to (B, nh, Tq, Tk) (T5's relative position bias is (1, nh, Tq, Tk); ALiBi's has the same
   * shape). A null {@code bias} is {@link #attend}.
   *
   * <p>The default folds a bias that takes no gradient (inference, or a fixed bias) into the mask,
   * so the variant's own kernel runs; when the open tape tracks {@code bias} it composes the
   * attention step by step through {@code ops}, so that the bias receives its gradient. A variant
   * with a kernel that differentiates its bias overrides this.
   */
  default Tensor attendWithBias(
      Ops ops, Tensor q, Tensor k, Tensor v, Tensor bias, Tensor mask, boolean causal,
      float scale, float dropout, long seed) {
    if (bias == null) {
      return attend(ops, q, k, v, mask, causal, scale, dropout, seed);
    }
    Tape tape = ops.tape();
    if (tape == null || !tape.isTracked(bias)) {
      // (R, nh, Tq, Tk) + (B, 1, 1, Tk) -> (B, nh, Tq, Tk): the mask's −∞ survive the sum.
      Tensor folded = mask == null ? bias : ops.add(bias, mask);
      return attend(ops, q, k, v, folded, causal, scale, dropout, seed);
    }
    Tensor scores = ops.add(ops.scale(ops.matmul(q, k, false, true), scale), bias);
    Tensor p = ops.softmax(scores, mask, causal);
    if (dropout > 0f) {
      p = ops.dropout(p, dropout, seed);
    }
    return ops.matmul(p, v);
  }
}
