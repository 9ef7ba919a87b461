package io.github.transformers4j.models.opt;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.layers.AttentionMasks;
import io.github.transformers4j.models.layers.KvCache;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.layers.LmHead;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.weights.Weights;
import java.util.SplittableRandom;

/**
 * OPT as a causal language model (Hugging Face's {@code OPTForCausalLM}): the {@link OptDecoder}
 * under {@code model.decoder.*}, then logits by the token table ({@code lm_head.weight}, tied
 * unless {@code tie_word_embeddings} is false).
 *
 * <p>Positions follow Hugging Face: a row's first real token is position 0 (row 2 of {@code
 * embed_positions}), padding excluded, so a left-padded row computes what it would alone.
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
 */
public final class OptForCausalLM extends AbstractModule implements CausalLm {
  /** The registry name. */
  public static final String ARCHITECTURE = "opt";

  private final OptConfig config;
  private final OptDecoder decoder;
  private final Linear lmHead;
  private final LmHead tiedHead;

  /** A model with weights initialized from {@code config.seed()}, attention from the registry. */
  public OptForCausalLM(Ops ops, OptConfig config) {
    this(ops, config, Plugins.attentions().forName(config.attnImplementation()));
  }

  /** A model with an explicit attention variant. */
  public OptForCausalLM(Ops ops, OptConfig config, AttentionProvider attention) {
    super(ops);
    this.config = config;
    this.decoder = child("model.decoder", new OptDecoder(ops, config, attention));
    if (config.tieWordEmbeddings()) {
      this.lmHead = null;
      this.tiedHead = new LmHead(ops, decoder.embedTokens());
    } else {
      SplittableRandom rng = new SplittableRandom(config.seed() ^ 0x6c6dL);
      this.lmHead =
          child(
              "lm_head",
              new Linear(
                  ops, config.wordEmbedProjDim(), config.vocabSize(), Linear.Layout.OUT_IN, false,
                  rng, config.initStd()));
      this.tiedHead = null;
    }
  }

  /** A tied token table is the output projection: quantized with the blocks' weights. */
  @Override
  protected void quantizeOwn(WeightPrecision precision) {
    if (tiedHead != null) {
      decoder.embedTokens().quantizeAsOutputProjection(precision);
    }
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }

  /** The configuration. */
  public OptConfig config() {
    return config;
  }

  /**
   * The decoder output (B, T, E), before the logits.
   *
   * @param ids (B·T) row-major ids
   * @param attentionMask (B·T) 1 for a token, 0 for padding (either side); null when nothing is
   *     padded
   */
  public Tensor hidden(int[] ids, int[] attentionMask, int batch) {
    int t = ids.length / batch;
    if (ids.length != batch * t) {
      throw new IllegalArgumentException(ids.length + " ids do not split into " + batch + " rows");
    }
    // Hugging Face: cumsum(mask)·mask − 1, so padding sits at −1 (row 1 of the table).
    int[] pos = new int[ids.length];
    for (int r = 0; r < batch; r++) {
      int seen = 0;
      for (int i = r * t; i < (r + 1) * t; i++) {
        boolean real = attentionMask == null || attentionMask[i] != 0;
        pos[i] = real ? seen++ : -1;
      }
    }
    Tensor mask = AttentionMasks.padding(ops, attentionMask, batch, t);
    return decoder.forward(ops.ids(ids, batch, t), pos, mask, null);
  }

  /** Next-token logits (B, T, V) at every position; padding is masked out of attention. */
  @Override
  public Tensor logits(int[] ids, int[] attentionMask, int batch) {
    return project(hidden(ids, attentionMask, batch));
  }

  /** Hidden states (..., E) → logits (..., V). */
  private Tensor project(Tensor h) {
    return tiedHead != null ? tiedHead.logits(h) : lmHead.forward(h);
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public int maxPositions() {
    return config.maxPositionEmbeddings();
  }

  /** A decoding session over a fresh KV cache. */
  @Override
  public DecodingSession session() {
    KvCache cache = new KvCache(decoder.layerCount(), false);
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
        Tensor hs = decoder.forward(ops.ids(ids, batch, t), positions, mask, cache);
        // Only the last position's logits are needed: skip the (T−1)·V·E head products.
        Tensor last = t == 1 ? hs : ops.slice(hs, 1, t - 1, t);
        return ops.reshape(project(last), batch, config.vocabSize());
      }

      @Override
      public void selectRows(int[] rows) {
        cache.selectRows(ops, rows);
      }
    };
  }

  /**
   * Loads a Hugging Face OPT checkpoint: {@code OPTForCausalLM} ({@code model.decoder.*}) or the
   * bare {@code OPTModel} ({@code decoder.*}); a tied {@code lm_head.weight} is not read.
   *
   * @throws IllegalArgumentException naming every missing, unexpected or wrongly shaped tensor
   */
  @Override
  public void load(Weights weights) {
    String prefix = WeightLoader.detectPrefix(weights, "decoder.embed_tokens.weight", "model.");
    if (tiedHead != null) {
      WeightLoader.load(
          ops, decoder, weights, prefix + "decoder.", n -> n.equals("lm_head.weight"));
    } else if (prefix.isEmpty()) {
      throw new IllegalArgumentException(
          "checkpoint holds a bare OPTModel (decoder.*) but tie_word_embeddings is false: the"
              + " output projection lm_head.weight is missing");
    } else {
      WeightLoader.load(ops, this, weights, "", n -> false);
    }
  }
}
