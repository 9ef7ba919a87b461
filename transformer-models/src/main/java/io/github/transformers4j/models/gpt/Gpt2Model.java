package io.github.transformers4j.models.gpt;

import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.layers.AttentionMasks;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.layers.KvCache;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.LmHead;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * GPT-2, the decoder-only family: {@code h₀ = wte[ids] + wpe[positions]}, {@code n_layer} pre-LN
 * blocks of causal self-attention and feed-forward, {@code ln_f}, then logits by the tied token
 * embedding. Parameter names are Hugging Face's {@code GPT2Model} names ({@code wte.weight}, {@code
 * h.0.attn.c_attn.weight}, ..., {@code ln_f.bias}).
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
 */
public final class Gpt2Model extends AbstractModule implements PretrainedModel, CausalLm {
  /** The registry name. */
  public static final String ARCHITECTURE = "gpt2";

  private final Gpt2Config config;
  private final Embedding wte;
  private final Embedding wpe;
  private final Dropout drop;
  private final List<Gpt2Block> h = new ArrayList<>();
  private final LayerNorm lnF;
  private final LmHead head;

  /** A model with weights initialized from {@code config.seed()}, attention from the registry. */
  public Gpt2Model(Ops ops, Gpt2Config config) {
    this(ops, config, Plugins.attentions().forName(config.attnImplementation()));
  }

  /** A model with an explicit attention variant (tests, embedding applications). */
  public Gpt2Model(Ops ops, Gpt2Config config, AttentionProvider attention) {
    super(ops);
    this.config = config;
    SplittableRandom rng = new SplittableRandom(config.seed());
    double std = config.initializerRange();
    this.wte = child("wte", new Embedding(ops, config.vocabSize(), config.nEmbd(), rng, std));
    this.wpe = child("wpe", new Embedding(ops, config.nPositions(), config.nEmbd(), rng, std / 2));
    this.drop = child("drop", new Dropout(ops, config.embdPdrop()));
    for (int i = 0; i < config.nLayer(); i++) {
      h.add(child("h." + i, new Gpt2Block(ops, config, attention, rng)));
    }
    this.lnF = child("ln_f", new LayerNorm(ops, config.nEmbd(), config.layerNormEpsilon()));
    this.head = new LmHead(ops, wte);
  }

  /** The token table is the tied output projection: quantized with the blocks' weights. */
  @Override
  protected void quantizeOwn(WeightPrecision precision) {
    wte.quantizeAsOutputProjection(precision);
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }

  /**
   * The number of parameters a model of {@code c} has, without building it: the tables V·C and
   * P·C, per block two LayerNorms (4C), {@code c_attn} (3C² + 3C), {@code c_proj} (C² + C), {@code
   * mlp.c_fc} (C·n_inner + n_inner) and {@code mlp.c_proj} (n_inner·C + C), and {@code ln_f} (2C);
   * the head is tied to {@code wte}. For comparisons at equal size (the recurrent baselines'
   * {@code RecurrentLm.sizedFor}).
   */
  public static long parameterCount(Gpt2Config c) {
    long v = c.vocabSize();
    long p = c.nPositions();
    long w = c.nEmbd();
    long f = c.nInner();
    long block = 4 * w + 3 * w * w + 3 * w + w * w + w + w * f + f + f * w + w;
    return v * w + p * w + c.nLayer() * block + 2 * w;
  }

  /** The configuration. */
  public Gpt2Config config() {
    return config;
  }

  /**
   * The hidden states after {@code ln_f}.
   *
   * @param ids (B, T) I32 token ids
   * @param positions (B, T) I32 absolute positions (0.. for a fresh sequence; the cache length
   *     onwards when decoding; later for left-padded rows)
   * @param mask additive padding mask broadcastable to (B, nh, T, Tk), Tk = cached + T, or null
   * @param cache extended by this call when not null
   * @return (B, T, C)
   */
  public Tensor hidden(Tensor ids, Tensor positions, Tensor mask, KvCache cache) {
    int past = cache == null ? 0 : cache.length();
    int t = ids.shape().dim(1);
    if (past + t > config.nPositions()) {
      throw new IllegalArgumentException(
          "sequence of " + (past + t) + " tokens exceeds n_positions " + config.nPositions());
    }
    Tensor x = drop.forward(ops.add(wte.forward(ids), wpe.forward(positions)));
    for (int i = 0; i < h.size(); i++) {
      x = h.get(i).forward(x, mask, cache == null ? null : cache.self(i));
    }
    return lnF.forward(x);
  }

  /** The hidden states (1, T, C) after {@code ln_f} of one unpadded sequence. */
  public Tensor hidden(int... ids) {
    return hidden(ops.ids(ids, 1, ids.length), ops.positions(1, ids.length), null, null);
  }

  /** The logits (1, T, V) of one unpadded sequence. */
  public Tensor logits(int... ids) {
    return head.logits(hidden(ids));
  }

  /** Logits (B, T, V) of right-padded rows; padded positions attend only to real tokens. */
  @Override
  public Tensor logits(int[] ids, int[] attentionMask, int batch) {
    int t = ids.length / batch;
    Tensor mask = AttentionMasks.padding(ops, attentionMask, batch, t);
    return head.logits(hidden(ops.ids(ids, batch, t), ops.positions(batch, t), mask, null));
  }

  /** The LM head tied to {@code wte}: logits, probabilities, log-probabilities. */
  public LmHead head() {
    return head;
  }

  /** An empty cache for decoding. */
  public KvCache newCache() {
    return new KvCache(config.nLayer(), false);
  }

  /**
   * Loads a Hugging Face GPT-2 checkpoint: bare ({@code wte.weight}) or with a head ({@code
   * transformer.wte.weight}); the tied {@code lm_head.weight} and the attention buffers {@code
   * attn.bias} / {@code attn.masked_bias} of older checkpoints are skipped.
   *
   * @throws IllegalArgumentException naming every missing, unexpected or wrongly shaped tensor
   */
  public void load(Weights weights) {
    String prefix = WeightLoader.detectPrefix(weights, "wte.weight", "transformer.");
    WeightLoader.load(
        ops,
        this,
        weights,
        prefix,
        n ->
            n.equals("lm_head.weight")
                || n.endsWith(".attn.bias")
                || n.endsWith(".attn.masked_bias"));
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public int maxPositions() {
    return config.nPositions();
  }

  /** A decoding session over a fresh KV cache. */
  @Override
  public DecodingSession session() {
    KvCache cache = newCache();
    return new DecodingSession() {
      @Override
      public int vocabSize() {
        return config.vocabSize();
      }

      @Override
      public int length() {
        return cache.length();
      }

      @Override
      public Tensor step(int[] ids, int[] positions, int batch, int[] keyMask) {
        int t = ids.length / batch;
        Tensor mask = AttentionMasks.padding(ops, keyMask, batch, cache.length() + t);
        Tensor hs = hidden(ops.ids(ids, batch, t), ops.ids(positions, batch, t), mask, cache);
        // Only the last position's logits are needed: skip the (T−1)·V·C head products.
        Tensor last = t == 1 ? hs : ops.slice(hs, 1, t - 1, t);
        return ops.reshape(head.logits(last), batch, config.vocabSize());
      }

      @Override
      public void selectRows(int[] rows) {
        cache.selectRows(ops, rows);
      }
    };
  }
}
