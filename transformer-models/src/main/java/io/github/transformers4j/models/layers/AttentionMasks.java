package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;

/**
 * Attention masks as the kernels take them: additive, 0 where a key may be seen and −∞ where not
 * (the kernels turn a row that sees nothing into zeros, not NaN).
 */
public final class AttentionMasks {
  private AttentionMasks() {}

  /**
   * The padding mask for keys: {@code keep} (B·Tk, row-major; 1 = token, 0 = padding) → additive
   * (B, 1, 1, Tk), broadcast over heads and queries; {@code null} when nothing is padded, so the
   * kernels take their unmasked path.
   */
  public static Tensor padding(Ops ops, int[] keep, int batch, int keys) {
    if (keep == null) {
      return null;
    }
    if (keep.length != batch * keys) {
      throw new IllegalArgumentException(
          "attention mask has " + keep.length + " entries, expected B·Tk = " + batch + "·" + keys);
    }
    float[] m = new float[keep.length];
    boolean any = false;
    for (int i = 0; i < keep.length; i++) {
      if (keep[i] == 0) {
        m[i] = Float.NEGATIVE_INFINITY;
        any = true;
      } else if (keep[i] != 1) {
        throw new IllegalArgumentException(
            "attention mask entries must be 0 or 1, got " + keep[i] + " at " + i);
      }
    }
    return any ? ops.tensor(m, batch, 1, 1, keys) : null;
  }
}
