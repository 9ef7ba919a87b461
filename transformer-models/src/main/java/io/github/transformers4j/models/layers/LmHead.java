package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import java.util.function.Supplier;

/**
 * The language-model output: hidden states (..., C) to logits (..., V) by the token embedding
 * matrix (V, C) (weight tying, Press and Wolf 2017), and from logits the distribution over the
 * vocabulary. Holds no parameter of its own: the table is read at every call, so a loaded or
 * updated embedding is used.
 */
public final class LmHead {
  private final Ops ops;
  private final Supplier<Tensor> table;
  private final Embedding embedding;

  /** A head tied to {@code table} (V, C). */
  public LmHead(Ops ops, Supplier<Tensor> table) {
    this.ops = ops;
    this.table = table;
    this.embedding = null;
  }

  /**
   * A head tied to {@code embedding}'s table, in whatever precision the table is held ({@link
   * Embedding#quantizeAsOutputProjection}).
   */
  public LmHead(Ops ops, Embedding embedding) {
    this.ops = ops;
    this.table = embedding::weight;
    this.embedding = embedding;
  }

  /** Logits {@code h·Eᵀ}: (..., C) → (..., V). */
  public Tensor logits(Tensor hidden) {
    if (embedding != null && embedding.quantized() != null) {
      return ops.linear(hidden, embedding.quantized(), null);
    }
    return ops.matmul(hidden, table.get(), false, true);
  }

  /** The softmax over the vocabulary of {@code logits} (..., V). */
  public Tensor probabilities(Tensor logits) {
    return ops.softmax(logits);
  }

  /** The log-probabilities over the vocabulary of {@code logits} (..., V), computed stably. */
  public Tensor logProbabilities(Tensor logits) {
    return ops.logSoftmax(logits);
  }
}
