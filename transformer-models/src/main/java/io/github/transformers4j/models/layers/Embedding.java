package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;
import java.util.SplittableRandom;

/**
 * A lookup table of learned vectors, {@code weight} (V, C): token embeddings, and learned absolute
 * position embeddings (GPT-2's {@code wpe}, BERT's {@code position_embeddings}), which are the same
 * concept indexed by position instead of token id.
 */
public final class Embedding extends AbstractModule {
  private final Parameter weight;

  /** A (count, width) table from N(0, std²). */
  public Embedding(Ops ops, int count, int width, SplittableRandom rng, double std) {
    super(ops);
    this.weight = normal("weight", rng, std, count, width);
  }

  /** Rows at {@code ids} (...) I32 → (..., C). */
  public Tensor forward(Tensor ids) {
    return ops.embedding(weight.get(), ids);
  }

  /** The table (V, C), e.g. to tie an output projection to it. */
  public Tensor weight() {
    return weight.get();
  }

  /** Number of rows (V). */
  public int count() {
    return weight.shape().dim(0);
  }
}
