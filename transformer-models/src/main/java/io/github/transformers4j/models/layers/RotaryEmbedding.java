package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.List;

/**
 * Rotary position embedding, RoPE (Su et al. 2021, "RoFormer"): rotates each pair of query and
 * key channels by an angle proportional to the position, so that {@code q·k} depends on positions
 * only through their difference. Applied to q and k after the projections, never to v. Uses the
 * "rotate half" pairing of GPT-NeoX and LLaMA (channel i with channel i + hs/2) and frequencies
 * {@code base^(−2i/hs)}.
 *
 * <p>Positions are explicit tensors, so a KV cache passes the absolute positions of the new
 * tokens (the offset) and left-padded batches pass their per-row positions.
 */
public final class RotaryEmbedding extends AbstractModule {
  private final Tensor cos;
  private final Tensor sin;
  private final int headSize;
  private final int maxLength;

  /** Tables for head size {@code hs} (even) and positions 0..maxLength−1. */
  public RotaryEmbedding(Ops ops, int headSize, int maxLength, double base) {
    super(ops);
    if (headSize % 2 != 0) {
      throw new IllegalArgumentException("rotary embedding needs an even head size, got " + headSize);
    }
    this.headSize = headSize;
    this.maxLength = maxLength;
    float[] c = new float[maxLength * headSize];
    float[] s = new float[maxLength * headSize];
    int half = headSize / 2;
    for (int pos = 0; pos < maxLength; pos++) {
      for (int i = 0; i < half; i++) {
        double angle = pos * Math.pow(base, -2.0 * i / headSize);
        c[pos * headSize + i] = c[pos * headSize + i + half] = (float) Math.cos(angle);
        s[pos * headSize + i] = s[pos * headSize + i + half] = (float) Math.sin(angle);
      }
    }
    this.cos = ops.tensor(c, maxLength, headSize);
    this.sin = ops.tensor(s, maxLength, headSize);
  }

  /**
   * Rotates {@code x} (B, nh, T, hs) at {@code positions} (B, T) I32: {@code x·cos +
   * rotateHalf(x)·sin}, with {@code rotateHalf(x) = (−x₂, x₁)} for the halves x₁, x₂ of hs.
   */
  public Tensor apply(Tensor x, Tensor positions) {
    int b = x.shape().dim(0);
    int t = x.shape().dim(2);
    Tensor c = ops.reshape(ops.embedding(cos, positions), b, 1, t, headSize);
    Tensor s = ops.reshape(ops.embedding(sin, positions), b, 1, t, headSize);
    int half = headSize / 2;
    Tensor x1 = ops.slice(x, 3, 0, half);
    Tensor x2 = ops.slice(x, 3, half, headSize);
    Tensor rotated = ops.concat(List.of(ops.neg(x2), x1), 3);
    return ops.add(ops.mul(x, c), ops.mul(rotated, s));
  }

  /** The largest position plus one. */
  public int maxLength() {
    return maxLength;
  }
}
