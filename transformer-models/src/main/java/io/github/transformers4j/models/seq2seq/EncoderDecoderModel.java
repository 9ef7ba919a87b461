package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
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
import io.github.transformers4j.models.layers.NormPlacement;
import io.github.transformers4j.models.layers.RotaryEmbedding;
import io.github.transformers4j.models.layers.SinusoidalPositionalEncoding;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The encoder-decoder Transformer: {@code encode} the source once; the decoder attends causally to
 * its own tokens and, in every block, to the encoder output; logits by the shared embedding (tied
 * input and output embeddings, §3.4). Names: {@code shared.weight}, {@code
 * encoder.embed_positions.weight} (learned positions), {@code encoder.layers.N.*}, {@code
 * encoder.layer_norm} (pre-LN), and the same under {@code decoder.}.
 */
public final class EncoderDecoderModel extends AbstractModule implements PretrainedModel, Seq2SeqLm {
  /** The registry name. */
  public static final String ARCHITECTURE = "transformer";

  private final EncoderDecoderConfig config;
  private final Embedding shared;
  private final Embedding encoderPositions;
  private final Embedding decoderPositions;
  private final SinusoidalPositionalEncoding sinusoids;
  private final RotaryEmbedding rope;
  private final List<EncoderLayer> encoderLayers = new ArrayList<>();
  private final List<DecoderLayer> decoderLayers = new ArrayList<>();
  private final LayerNorm encoderNorm;
  private final LayerNorm decoderNorm;
  private final Dropout drop;
  private final LmHead head;
  private final float embedScale;

  /** A fresh model, attention from the registry. */
  public EncoderDecoderModel(Ops ops, EncoderDecoderConfig config) {
    this(ops, config, Plugins.attentions().forName(config.attnImplementation()));
  }

  /** A fresh model with an explicit attention variant. */
  public EncoderDecoderModel(Ops ops, EncoderDecoderConfig c, AttentionProvider attention) {
    super(ops);
    this.config = c;
    SplittableRandom rng = new SplittableRandom(c.seed());
    this.shared = child("shared", new Embedding(ops, c.vocabSize(), c.dModel(), rng, c.initStd()));
    boolean learned = c.positions() == EncoderDecoderConfig.Positions.LEARNED;
    this.encoderPositions =
        learned ? child("encoder.embed_positions", new Embedding(ops, c.maxPositions(), c.dModel(), rng, c.initStd())) : null;
    this.decoderPositions =
        learned ? child("decoder.embed_positions", new Embedding(ops, c.maxPositions(), c.dModel(), rng, c.initStd())) : null;
    this.sinusoids =
        c.positions() == EncoderDecoderConfig.Positions.SINUSOIDAL
            ? new SinusoidalPositionalEncoding(ops, c.maxPositions(), c.dModel())
            : null;
    this.rope =
        c.positions() == EncoderDecoderConfig.Positions.ROTARY
            ? new RotaryEmbedding(ops, c.dModel() / c.heads(), c.maxPositions(), 10000.0)
            : null;
    for (int i = 0; i < c.encoderLayers(); i++) {
      encoderLayers.add(child("encoder.layers." + i, new EncoderLayer(ops, c, attention, rope, rng)));
    }
    for (int i = 0; i < c.decoderLayers(); i++) {
      decoderLayers.add(child("decoder.layers." + i, new DecoderLayer(ops, c, attention, rope, rng)));
    }
    boolean pre = c.norm() == NormPlacement.PRE;
    // Pre-LN leaves the residual stream unnormalized, so each stack ends with a LayerNorm.
    this.encoderNorm = pre ? child("encoder.layer_norm", new LayerNorm(ops, c.dModel(), c.layerNormEps())) : null;
    this.decoderNorm = pre ? child("decoder.layer_norm", new LayerNorm(ops, c.dModel(), c.layerNormEps())) : null;
    this.drop = child("dropout", new Dropout(ops, c.dropout()));
    this.head = new LmHead(ops, shared);
    this.embedScale = c.scaleEmbedding() ? (float) Math.sqrt(c.dModel()) : 1f;
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }

  /** The configuration. */
  public EncoderDecoderConfig config() {
    return config;
  }

  private Tensor embed(Tensor ids, Tensor positions, Embedding learned) {
    Tensor x = ops.scale(shared.forward(ids), embedScale);
    if (learned != null) {
      x = ops.add(x, learned.forward(positions));
    } else if (sinusoids != null) {
      x = ops.add(x, sinusoids.forward(positions));
    }
    return drop.forward(x);
  }

  /**
   * The encoder output.
   *
   * @param ids (B·S) source token ids
   * @param mask (B·S) 1 for a token, 0 for padding, or null
   * @return (B, S, C)
   */
  public Tensor encode(int[] ids, int batch, int[] mask) {
    int s = ids.length / batch;
    checkLength(s);
    int[] pos = new int[ids.length];
    for (int r = 0; r < batch; r++) {
      // Positions count real tokens, so left or right padding gives the same encodings.
      int p = 0;
      for (int i = 0; i < s; i++) {
        pos[r * s + i] = mask == null || mask[r * s + i] == 1 ? p++ : 0;
      }
    }
    Tensor positions = ops.ids(pos, batch, s);
    Tensor x = embed(ops.ids(ids, batch, s), positions, encoderPositions);
    Tensor m = AttentionMasks.padding(ops, mask, batch, s);
    for (EncoderLayer layer : encoderLayers) {
      x = layer.forward(x, m, positions);
    }
    return encoderNorm == null ? x : encoderNorm.forward(x);
  }

  private void checkLength(int n) {
    if (n > config.maxPositions()) {
      throw new IllegalArgumentException(
          "sequence of " + n + " tokens exceeds max_position_embeddings " + config.maxPositions());
    }
  }

  /**
   * The decoder's hidden states.
   *
   * @param ids (B, T) I32 target tokens
   * @param positions (B, T) I32 absolute positions
   * @param selfMask additive padding mask over decoder keys, or null
   * @param memory the encoder output (B, S, C) (unused once the cache holds its projections)
   * @param memoryMask additive padding mask over the source (B, 1, 1, S), or null
   * @param cache self- and cross-attention caches, extended by this call, or null
   * @return (B, T, C)
   */
  public Tensor decode(
      Tensor ids, Tensor positions, Tensor selfMask, Tensor memory, Tensor memoryMask, KvCache cache) {
    checkLength((cache == null ? 0 : cache.length()) + ids.shape().dim(1));
    Tensor x = embed(ids, positions, decoderPositions);
    for (int i = 0; i < decoderLayers.size(); i++) {
      x =
          decoderLayers.get(i).forward(
              x, selfMask, positions, memory, memoryMask,
              cache == null ? null : cache.self(i), cache == null ? null : cache.cross(i));
    }
    return decoderNorm == null ? x : decoderNorm.forward(x);
  }

  /** Logits (1, T, V) for one unpadded source and target (teacher forcing). */
  public Tensor logits(int[] source, int[] target) {
    Tensor memory = encode(source, 1, null);
    int[] pos = new int[target.length];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = i;
    }
    Tensor h =
        decode(ops.ids(target, 1, target.length), ops.ids(pos, 1, target.length), null, memory, null, null);
    return head.logits(h);
  }

  @Override
  public Tensor logits(int[] source, int[] sourceMask, int[] target, int[] targetMask, int batch) {
    Tensor memory = encode(source, batch, sourceMask);
    int s = source.length / batch;
    int t = target.length / batch;
    int[] pos = new int[target.length];
    for (int r = 0; r < batch; r++) {
      for (int i = 0; i < t; i++) {
        pos[r * t + i] = i;
      }
    }
    Tensor h =
        decode(
            ops.ids(target, batch, t), ops.ids(pos, batch, t),
            AttentionMasks.padding(ops, targetMask, batch, t), memory,
            AttentionMasks.padding(ops, sourceMask, batch, s), null);
    return head.logits(h);
  }

  /** The shared table is the tied output projection: quantized with the blocks' weights. */
  @Override
  protected void quantizeOwn(WeightPrecision precision) {
    shared.quantizeAsOutputProjection(precision);
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
    return config.maxPositions();
  }

  @Override
  public int maxTargetPositions() {
    return config.maxPositions();
  }

  /** The LM head tied to {@code shared}. */
  public LmHead head() {
    return head;
  }

  /**
   * A decoding session for the sources {@code source} (B·S, with padding mask {@code sourceMask}
   * or null): the encoder runs once here, each layer's cross-attention keys and values are
   * projected at the first step and then reused.
   */
  @Override
  public DecodingSession session(int[] source, int batch, int[] sourceMask) {
    Tensor encoded = encode(source, batch, sourceMask);
    int s = source.length / batch;
    KvCache cache = new KvCache(decoderLayers.size(), true);
    return new DecodingSession() {
      Tensor memory = encoded;
      int[] srcMask = sourceMask;
      int rows = batch;

      @Override
      public int vocabSize() {
        return config.vocabSize();
      }

      @Override
      public int length() {
        return cache.length();
      }

      @Override
      public Tensor step(int[] ids, int[] positions, int b, int[] keyMask) {
        if (b != rows) {
          throw new IllegalArgumentException("session has " + rows + " rows, step got " + b);
        }
        int t = ids.length / b;
        Tensor selfMask = AttentionMasks.padding(ops, keyMask, b, cache.length() + t);
        Tensor memoryMask = AttentionMasks.padding(ops, srcMask, b, s);
        Tensor h = decode(ops.ids(ids, b, t), ops.ids(positions, b, t), selfMask, memory, memoryMask, cache);
        Tensor last = t == 1 ? h : ops.slice(h, 1, t - 1, t);
        return ops.reshape(head.logits(last), b, config.vocabSize());
      }

      @Override
      public void selectRows(int[] select) {
        cache.selectRows(ops, select);
        int c = config.dModel();
        memory =
            ops.reshape(
                ops.embedding(ops.reshape(memory, rows, -1), ops.ids(select, select.length)),
                select.length, s, c);
        if (srcMask != null) {
          int[] m = new int[select.length * s];
          for (int r = 0; r < select.length; r++) {
            System.arraycopy(srcMask, select[r] * s, m, r * s, s);
          }
          srcMask = m;
        }
        rows = select.length;
      }
    };
  }

  /** Loads a checkpoint with exactly this model's names (no buffers are skipped). */
  public void load(Weights weights) {
    WeightLoader.load(ops, this, weights, "", n -> false);
  }
}
