package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;

/** Sentence vectors from token vectors (B, T, C) → (B, C). */
public final class Pooling {
  private Pooling() {}

  /** The first token's vector ({@code [CLS]}). */
  public static Tensor cls(Ops ops, Tensor hidden) {
    int b = hidden.shape().dim(0);
    int c = hidden.shape().dim(2);
    return ops.reshape(ops.slice(hidden, 1, 0, 1), b, c);
  }

  /**
   * The mean over real tokens: {@code Σ_t m_t·h_t / Σ_t m_t} with the padding mask {@code m} (B·T,
   * 1 = token), as sentence-transformers pools; a row with no token gives zeros.
   */
  public static Tensor mean(Ops ops, Tensor hidden, int[] attentionMask) {
    int b = hidden.shape().dim(0);
    int t = hidden.shape().dim(1);
    if (attentionMask == null) {
      return ops.mean(hidden, 1, false);
    }
    if (attentionMask.length != b * t) {
      throw new IllegalArgumentException(
          "attention mask has " + attentionMask.length + " entries, expected B·T = " + b + "·" + t);
    }
    float[] m = new float[b * t];
    float[] inv = new float[b];
    for (int r = 0; r < b; r++) {
      int n = 0;
      for (int i = 0; i < t; i++) {
        m[r * t + i] = attentionMask[r * t + i];
        n += attentionMask[r * t + i];
      }
      inv[r] = n == 0 ? 0f : 1f / n;
    }
    Tensor summed = ops.sum(ops.mul(hidden, ops.tensor(m, b, t, 1)), 1, false);
    return ops.mul(summed, ops.tensor(inv, b, 1));
  }
}
