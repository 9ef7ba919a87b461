package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Luong et al. (2015) global attention with the "general" score, the attention of {@link
 * RecurrentSeq2Seq}: for decoder states h_t and encoder states h̄_s,
 *
 * <pre>
 *   score(t, s) = h_tᵀ · W_a · h̄_s          (attention.weight, no bias)
 *   α_t = softmax_s(score(t, ·) + mask)     (padded source positions get −∞)
 *   c_t = Σ_s α_t(s) · h̄_s
 *   h̃_t = tanh(W_c · [c_t ; h_t] + b_c)     (combine.weight, combine.bias)
 * </pre>
 *
 * The score reads the decoder state after its step, not before it (Bahdanau), so under teacher
 * forcing the decoder's recurrence runs over all T steps first and the attention of every step is
 * then two batched products: (B, T, H)·(B, H, S) and (B, T, S)·(B, S, H).
 */
public final class LuongAttention extends AbstractModule {
  private final Linear attention;
  private final Linear combine;

  /**
   * Weights from N(0, 1/(3·in)) (the variance of PyTorch's default U(±1/√in)), zero bias.
   *
   * @param hidden H, the width of decoder and encoder states
   */
  public LuongAttention(Ops ops, int hidden, SplittableRandom rng) {
    super(ops);
    this.attention =
        child(
            "attention",
            new Linear(ops, hidden, hidden, Linear.Layout.OUT_IN, false, rng.split(), Math.sqrt(1.0 / (3.0 * hidden))));
    this.combine =
        child(
            "combine",
            new Linear(ops, 2 * hidden, hidden, Linear.Layout.OUT_IN, true, rng.split(), Math.sqrt(1.0 / (6.0 * hidden))));
  }

  /**
   * The keys W_a·h̄_s of the encoder states, computed once per source (decoding reuses them).
   *
   * @param memory encoder states (B, S, H)
   * @return (B, S, H)
   */
  public Tensor keys(Tensor memory) {
    return attention.forward(memory);
  }

  /**
   * The attentional states h̃.
   *
   * @param decoder decoder states (B, T, H)
   * @param memory encoder states (B, S, H)
   * @param keys {@link #keys(Tensor)} of {@code memory}
   * @param mask additive (B, 1, S), −∞ at padded source positions, or null
   * @return (B, T, H)
   */
  public Tensor forward(Tensor decoder, Tensor memory, Tensor keys, Tensor mask) {
    Tensor scores = ops.matmul(decoder, keys, false, true); // (B, T, H)·(B, S, H)ᵀ -> (B, T, S)
    Tensor alpha = ops.softmax(scores, mask, false);
    Tensor context = ops.matmul(alpha, memory); // (B, T, S)·(B, S, H) -> (B, T, H)
    // [c_t ; h_t] (B, T, 2H) -> (B, T, H)
    return ops.tanh(combine.forward(ops.concat(List.of(context, decoder), 2)));
  }

  /** The additive (B, 1, S) mask of a source padding mask (B·S, 1 = token), or null. */
  public static Tensor mask(Ops ops, int[] keep, int batch, int sourceLength) {
    if (keep == null) {
      return null;
    }
    float[] m = new float[keep.length];
    boolean any = false;
    for (int i = 0; i < keep.length; i++) {
      if (keep[i] == 0) {
        m[i] = Float.NEGATIVE_INFINITY;
        any = true;
      }
    }
    return any ? ops.tensor(m, batch, 1, sourceLength) : null;
  }
}
