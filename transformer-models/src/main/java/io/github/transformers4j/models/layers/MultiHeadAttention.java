package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * Multi-head attention (Vaswani et al. 2017, §3.2.2) with separate query, key, value and output
 * projections: {@code MultiHead(Q, K, V) = Concat(head₁..head_nh)·W_O} with {@code head_i =
 * Attention(Q·W_Qi, K·W_Ki, V·W_Vi)}. Self-attention takes queries, keys and values from the same
 * sequence; cross-attention takes keys and values from the encoder output ("memory").
 *
 * <p>The projections' checkpoint names vary by family and are given as {@link Names}. The core
 * {@code softmax(q·kᵀ/√hs + mask)·v} is the pluggable {@link AttentionProvider}. T5 differs in
 * three ways, each a constructor option: a head size of its own ({@code d_kv}), no biases, no
 * 1/√hs; and its relative position bias enters as a learned additive {@code bias} on the scores.
 */
public final class MultiHeadAttention extends AbstractModule {

  /** Checkpoint names of the four projections. */
  public record Names(String query, String key, String value, String output) {
    /** BERT: {@code self.query}, ..., {@code output.dense}. */
    public static final Names BERT = new Names("self.query", "self.key", "self.value", "output.dense");

    /** BART / fairseq: {@code q_proj}, {@code k_proj}, {@code v_proj}, {@code out_proj}. */
    public static final Names BART = new Names("q_proj", "k_proj", "v_proj", "out_proj");
  }

  private final int heads;
  private final float scale;
  private final Linear query;
  private final Linear key;
  private final Linear value;
  private final Linear output;
  private final AttentionProvider attention;
  private final RotaryEmbedding rotary;
  private final Dropout probsDropout;

  /**
   * Attention over width C with {@code heads} heads (C divisible by heads): head size C/nh, biases
   * on the projections, scores scaled by 1/√hs.
   *
   * @param rotary applied to q and k when not null
   * @param dropout on the attention probabilities in training (0 for none)
   */
  public MultiHeadAttention(
      Ops ops,
      int width,
      int heads,
      Names names,
      AttentionProvider attention,
      RotaryEmbedding rotary,
      float dropout,
      SplittableRandom rng,
      double std) {
    this(
        ops, width, heads, checkedHeadSize(width, heads), true,
        (float) (1.0 / Math.sqrt(width / heads)), names, attention, rotary, dropout, rng, std);
  }

  /**
   * Attention from width C through {@code heads} heads of {@code headSize} each (nh·hs need not be
   * C: T5's {@code d_kv}), with or without biases, scores scaled by {@code scale} (T5: 1, its
   * initialization folds 1/√hs into the query weights).
   */
  public MultiHeadAttention(
      Ops ops,
      int width,
      int heads,
      int headSize,
      boolean bias,
      float scale,
      Names names,
      AttentionProvider attention,
      RotaryEmbedding rotary,
      float dropout,
      SplittableRandom rng,
      double std) {
    super(ops);
    if (heads <= 0 || headSize <= 0) {
      throw new IllegalArgumentException(
          "attention needs heads > 0 and head size > 0, got " + heads + " and " + headSize);
    }
    int inner = heads * headSize;
    this.heads = heads;
    this.scale = scale;
    Linear.Layout pt = Linear.Layout.OUT_IN;
    this.query = child(names.query(), new Linear(ops, width, inner, pt, bias, rng, std));
    this.key = child(names.key(), new Linear(ops, width, inner, pt, bias, rng, std));
    this.value = child(names.value(), new Linear(ops, width, inner, pt, bias, rng, std));
    this.output = child(names.output(), new Linear(ops, inner, width, pt, bias, rng, std));
    this.attention = attention;
    this.rotary = rotary;
    this.probsDropout = child("attn_dropout", new Dropout(ops, dropout));
  }

  private static int checkedHeadSize(int width, int heads) {
    if (heads <= 0 || width % heads != 0) {
      throw new IllegalArgumentException(
          "attention width " + width + " must be divisible by heads " + heads);
    }
    return width / heads;
  }

  private Tensor attend(Tensor q, Tensor k, Tensor v, Tensor mask, Tensor bias, boolean causal) {
    float p = probsDropout.activeProbability();
    if (bias != null) {
      return attention.attendWithBias(
          ops, q, k, v, bias, mask, causal, scale, p, p == 0f ? 0L : probsDropout.nextSeed());
    }
    return p == 0f
        ? attention.attend(ops, q, k, v, mask, causal, scale)
        : attention.attend(ops, q, k, v, mask, causal, scale, p, probsDropout.nextSeed());
  }

  /**
   * Self-attention of {@code x} (B, T, C) → (B, T, C).
   *
   * @param mask additive, broadcastable to (B, nh, T, Tk) where Tk counts cached positions too,
   *     or null
   * @param causal whether a position may see only itself and earlier ones
   * @param positions (B, T) I32 absolute positions for the rotary embedding, or null without one
   * @param cache the layer's cache, extended by this call, or null
   */
  public Tensor self(
      Tensor x, Tensor mask, boolean causal, Tensor positions, AttentionCache cache) {
    return self(x, mask, null, causal, positions, cache);
  }

  /**
   * Self-attention with an additive, learned {@code bias} on the scores (see {@link
   * AttentionProvider#attendWithBias}): (R, nh, T, Tk) with R 1 or B, Tk counting cached positions;
   * null for none. Otherwise as {@link #self(Tensor, Tensor, boolean, Tensor, AttentionCache)}.
   */
  public Tensor self(
      Tensor x, Tensor mask, Tensor bias, boolean causal, Tensor positions, AttentionCache cache) {
    Tensor q = Heads.split(ops, query.forward(x), heads);
    Tensor k = Heads.split(ops, key.forward(x), heads);
    Tensor v = Heads.split(ops, value.forward(x), heads);
    if (rotary != null) {
      q = rotary.apply(q, positions);
      k = rotary.apply(k, positions);
    }
    if (cache != null) {
      cache.append(ops, k, v);
      k = cache.keys();
      v = cache.values();
    }
    return output.forward(Heads.merge(ops, attend(q, k, v, mask, bias, causal)));
  }

  /**
   * Cross-attention of queries {@code x} (B, T, C) over {@code memory} (B, S, C) → (B, T, C).
   *
   * @param memoryMask additive, broadcastable to (B, nh, T, S), or null
   * @param cache when not null, holds the projected memory after the first call and is reused
   */
  public Tensor cross(Tensor x, Tensor memory, Tensor memoryMask, AttentionCache cache) {
    return cross(x, memory, memoryMask, null, cache);
  }

  /** Cross-attention with an additive, learned {@code bias} (R, nh, T, S) on the scores or null. */
  public Tensor cross(
      Tensor x, Tensor memory, Tensor memoryMask, Tensor bias, AttentionCache cache) {
    Tensor q = Heads.split(ops, query.forward(x), heads);
    Tensor k;
    Tensor v;
    if (cache != null && !cache.isEmpty()) {
      k = cache.keys();
      v = cache.values();
    } else {
      k = Heads.split(ops, key.forward(memory), heads);
      v = Heads.split(ops, value.forward(memory), heads);
      if (cache != null) {
        cache.set(k, v);
      }
    }
    return output.forward(Heads.merge(ops, attend(q, k, v, memoryMask, bias, false)));
  }
}
