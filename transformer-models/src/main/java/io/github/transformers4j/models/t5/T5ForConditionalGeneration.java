package io.github.transformers4j.models.t5;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.generation.EncoderDecoderSession;
import io.github.transformers4j.models.layers.AttentionMasks;
import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.layers.KvCache;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.layers.LmHead;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.weights.Weights;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * T5 and mT5 (Raffel et al. 2020; Xue et al. 2021) with Hugging Face's names: the token table
 * {@code shared.weight} feeds both stacks ({@code encoder.*}, {@code decoder.*}, see {@link
 * T5Stack}); logits come from {@code lm_head.weight} when the model is untied (mT5, T5 v1.1), else
 * from {@code shared.weight}, after scaling the decoder output by C^−½ when {@code
 * scale_decoder_outputs} (T5 v1.0). Positions enter only through the relative position bias, so
 * neither source nor target length is bounded.
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
 */
public final class T5ForConditionalGeneration extends AbstractModule implements Seq2SeqLm {
  private final T5Config config;
  private final Embedding shared;
  private final T5Stack encoder;
  private final T5Stack decoder;
  private final Linear lmHead;
  private final LmHead tiedHead;
  private final float outputScale;

  /** A fresh model, attention from the registry. */
  public T5ForConditionalGeneration(Ops ops, T5Config config) {
    this(ops, config, Plugins.attentions().forName(config.attnImplementation()));
  }

  /** A fresh model with an explicit attention variant. */
  public T5ForConditionalGeneration(Ops ops, T5Config c, AttentionProvider attention) {
    super(ops);
    this.config = c;
    SplittableRandom rng = new SplittableRandom(c.seed());
    this.shared =
        child("shared", new Embedding(ops, c.vocabSize(), c.dModel(), rng, c.initializerFactor()));
    this.encoder = child("encoder", new T5Stack(ops, c, false, attention, rng));
    this.decoder = child("decoder", new T5Stack(ops, c, true, attention, rng));
    this.lmHead =
        c.tieWordEmbeddings()
            ? null
            : child(
                "lm_head",
                new Linear(
                    ops,
                    c.dModel(),
                    c.vocabSize(),
                    Linear.Layout.OUT_IN,
                    false,
                    rng,
                    c.initializerFactor()));
    this.tiedHead = c.tieWordEmbeddings() ? new LmHead(ops, shared) : null;
    this.outputScale = c.scaleDecoderOutputs() ? (float) (1.0 / Math.sqrt(c.dModel())) : 1f;
  }

  @Override
  public String architecture() {
    return config.modelType();
  }

  /** The configuration. */
  public T5Config config() {
    return config;
  }

  /**
   * The encoder output ({@code encoder_last_hidden_state}).
   *
   * @param ids (B·S) source token ids, right-padded
   * @param mask (B·S) 1 for a token, 0 for padding, or null
   * @return (B, S, C)
   */
  public Tensor encode(int[] ids, int batch, int[] mask) {
    int s = checkRows("source", ids.length, batch);
    int[] pos = new int[s];
    Arrays.setAll(pos, i -> i);
    // Bidirectional buckets over the columns: right padding leaves the real tokens' distances
    // alone.
    Tensor bias = encoder.bias(pos, pos, 1);
    Tensor x = shared.forward(ops.ids(ids, batch, s));
    return encoder.forward(x, bias, AttentionMasks.padding(ops, mask, batch, s), null, null, null);
  }

  private static int checkRows(String what, int length, int batch) {
    if (batch <= 0 || length % batch != 0 || length == 0) {
      throw new IllegalArgumentException(
          what + " of " + length + " ids does not split into " + batch + " non-empty rows");
    }
    return length / batch;
  }

  /**
   * The decoder's hidden states (after the final norm and, when configured, the C^−½ scaling).
   *
   * @param ids (B·T) target tokens
   * @param positions (B·T) their absolute positions; a row's earlier keys (cached ones included)
   *     sit at the positions just before its last query
   * @param selfMask additive padding mask over the decoder keys (B, 1, 1, Tk), or null
   * @param memory the encoder output (B, S, C) (unused once the cache holds its projections)
   * @param memoryMask additive padding mask over the source (B, 1, 1, S), or null
   * @param cache self- and cross-attention caches, extended by this call, or null
   * @return (B, T, C)
   */
  Tensor decode(
      int[] ids,
      int[] positions,
      int batch,
      Tensor selfMask,
      Tensor memory,
      Tensor memoryMask,
      KvCache cache) {
    int t = checkRows("target", ids.length, batch);
    int tk = (cache == null ? 0 : cache.length()) + t;
    // The bias depends on distances only, and a row's keys sit just before its last query: rows
    // whose queries lie alike relative to their last one share one bias (R = 1). Every one-token
    // step does, at any offset; a left-padded prompt (padding at position 0) gets one per row.
    boolean same = true;
    for (int r = 1; r < batch && same; r++) {
      for (int i = 0; i < t && same; i++) {
        same =
            positions[r * t + i] - positions[r * t + t - 1] == positions[i] - positions[t - 1];
      }
    }
    int rows = same ? 1 : batch;
    int[] keys = new int[rows * tk];
    for (int r = 0; r < rows; r++) {
      int last = positions[r * t + t - 1];
      for (int j = 0; j < tk; j++) {
        keys[r * tk + j] = last - (tk - 1 - j);
      }
    }
    Tensor bias = decoder.bias(Arrays.copyOf(positions, rows * t), keys, rows);
    Tensor x = shared.forward(ops.ids(ids, batch, t));
    Tensor h = decoder.forward(x, bias, selfMask, memory, memoryMask, cache);
    return outputScale == 1f ? h : ops.scale(h, outputScale);
  }

  /** Logits (..., V) of decoder states (..., C). */
  Tensor head(Tensor h) {
    return lmHead != null ? lmHead.forward(h) : tiedHead.logits(h);
  }

  @Override
  public Tensor logits(int[] source, int[] sourceMask, int[] target, int[] targetMask, int batch) {
    Tensor memory = encode(source, batch, sourceMask);
    int s = source.length / batch;
    int t = checkRows("target", target.length, batch);
    int[] pos = new int[target.length];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = i % t;
    }
    Tensor h =
        decode(
            target,
            pos,
            batch,
            AttentionMasks.padding(ops, targetMask, batch, t),
            memory,
            AttentionMasks.padding(ops, sourceMask, batch, s),
            null);
    return head(h);
  }

  /** A tied head's table is the output projection: quantized with the blocks' weights. */
  @Override
  protected void quantizeOwn(WeightPrecision precision) {
    if (lmHead == null) {
      shared.quantizeAsOutputProjection(precision);
    }
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public int decoderStartTokenId() {
    return config.decoderStartTokenId();
  }

  @Override
  public int maxSourcePositions() {
    return Integer.MAX_VALUE;
  }

  @Override
  public int maxTargetPositions() {
    return Integer.MAX_VALUE;
  }

  /**
   * A decoding session over the sources {@code source} (B·S, right-padded, mask {@code sourceMask}
   * or null): the encoder runs once here; each block's cross-attention keys and values are
   * projected at the first step and reused; the self-attention cache grows by one token a step, and
   * the position bias of each step is that of its query position against every cached key.
   */
  @Override
  public DecodingSession session(int[] source, int batch, int[] sourceMask) {
    return new EncoderDecoderSession(
        ops, encode(source, batch, sourceMask), sourceMask, decoder.size(), config.vocabSize()) {
      @Override
      protected Tensor decodeLast(
          int[] ids, int[] positions, int b, Tensor selfMask, Tensor memory, Tensor memoryMask) {
        int t = ids.length / b;
        Tensor h = decode(ids, positions, b, selfMask, memory, memoryMask, cache);
        Tensor last = t == 1 ? h : ops.slice(h, 1, t - 1, t);
        return ops.reshape(head(last), b, config.vocabSize());
      }
    };
  }

  /**
   * Loads a Hugging Face T5 / mT5 checkpoint. The per-stack copies of the token table that older
   * files hold ({@code encoder.embed_tokens.weight}, {@code decoder.embed_tokens.weight}) are
   * skipped, and so is {@code lm_head.weight} when the model is tied (T5 files that store it hold
   * the shared table). An untied model whose file has no {@code lm_head.weight} uses {@code
   * shared.weight}, as Hugging Face ties the two then.
   *
   * @throws IllegalArgumentException naming every missing, unexpected or wrongly shaped tensor
   */
  @Override
  public void load(Weights weights) {
    WeightLoader.load(
        ops,
        this,
        weights,
        "",
        n ->
            n.equals("encoder.embed_tokens.weight")
                || n.equals("decoder.embed_tokens.weight")
                || (lmHead == null && n.equals("lm_head.weight")),
        n -> n.equals("lm_head.weight"));
    if (lmHead != null && !weights.contains("lm_head.weight")) {
      setParameter("lm_head.weight", shared.weight());
    }
  }
}
