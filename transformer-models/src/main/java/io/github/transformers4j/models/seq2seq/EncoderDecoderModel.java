package io.github.transformers4j.models.seq2seq;

import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.generation.EncoderDecoderSession;
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
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The encoder-decoder Transformer: {@code encode} the source once; the decoder attends causally to
 * its own tokens and, in every block, to the encoder output; logits by the shared embedding (tied
 * input and output embeddings, §3.4). Names: {@code shared.weight}, {@code
 * encoder.embed_positions.weight} (learned positions), {@code encoder.layers.N.*}, {@code
 * encoder.layer_norm} (pre-LN), and the same under {@code decoder.}.
 *
 * <p>The same class is Hugging Face's BART, Pegasus and Marian ({@link
 * EncoderDecoderConfig.Layout}): their checkpoints hold these names under {@code model.} (or bare,
 * for {@code BartModel}), plus {@code encoder.layernorm_embedding} (BART), an untied {@code
 * lm_head.weight} when {@code tie_word_embeddings} is false, and two fixed tables that are not
 * parameters (Hugging Face does not train them either): {@code final_logits_bias} (1, V), added to
 * the logits, and Pegasus's stored sinusoids {@code encoder.embed_positions.weight}.
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
 */
public final class EncoderDecoderModel extends AbstractModule implements PretrainedModel, Seq2SeqLm {
  /** The registry name. */
  public static final String ARCHITECTURE = "transformer";

  private final EncoderDecoderConfig config;
  private final Embedding shared;
  private final Embedding encoderPositions;
  private final Embedding decoderPositions;
  private final SinusoidalPositionalEncoding encoderSinusoids;
  private final SinusoidalPositionalEncoding decoderSinusoids;
  private final LayerNorm encoderEmbeddingNorm;
  private final LayerNorm decoderEmbeddingNorm;
  private final Embedding lmHead;
  private Tensor finalLogitsBias;
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
    EncoderDecoderConfig.Layout layout = c.layout();
    boolean learned = c.positions() == EncoderDecoderConfig.Positions.LEARNED;
    // BART's tables keep fairseq's two leading rows: position p is row p + 2.
    int rows = c.maxPositions() + layout.positionOffset();
    this.encoderPositions =
        learned
            ? child(
                "encoder.embed_positions", new Embedding(ops, rows, c.dModel(), rng, c.initStd()))
            : null;
    this.decoderPositions =
        learned
            ? child(
                "decoder.embed_positions", new Embedding(ops, rows, c.dModel(), rng, c.initStd()))
            : null;
    boolean sinusoidal = c.positions() == EncoderDecoderConfig.Positions.SINUSOIDAL;
    this.encoderSinusoids =
        sinusoidal
            ? new SinusoidalPositionalEncoding(
                ops, c.maxPositions(), c.dModel(), layout.halfSinusoids())
            : null;
    // Two tables only where a checkpoint may store each stack's own copy.
    this.decoderSinusoids =
        sinusoidal && layout.halfSinusoids()
            ? new SinusoidalPositionalEncoding(ops, c.maxPositions(), c.dModel(), true)
            : encoderSinusoids;
    this.encoderEmbeddingNorm =
        layout.layernormEmbedding()
            ? child("encoder.layernorm_embedding", new LayerNorm(ops, c.dModel(), c.layerNormEps()))
            : null;
    this.decoderEmbeddingNorm =
        layout.layernormEmbedding()
            ? child("decoder.layernorm_embedding", new LayerNorm(ops, c.dModel(), c.layerNormEps()))
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
    this.lmHead =
        layout.tieWordEmbeddings()
            ? null
            : child("lm_head", new Embedding(ops, c.vocabSize(), c.dModel(), rng, c.initStd()));
    this.head = new LmHead(ops, lmHead == null ? shared : lmHead);
    this.finalLogitsBias =
        layout.finalLogitsBias() ? ops.tensor(new float[c.vocabSize()], c.vocabSize()) : null;
    this.embedScale = c.scaleEmbedding() ? (float) Math.sqrt(c.dModel()) : 1f;
  }

  @Override
  public String architecture() {
    return config.layout().modelType();
  }

  /** The configuration. */
  public EncoderDecoderConfig config() {
    return config;
  }

  /** Token embeddings (scaled) plus positions, then BART's LayerNorm and dropout: (B, T, C). */
  private Tensor embed(
      Tensor ids, Tensor positions, Embedding learned, SinusoidalPositionalEncoding sinusoids,
      LayerNorm norm) {
    Tensor x = ops.scale(shared.forward(ids), embedScale);
    if (learned != null) {
      x = ops.add(x, learned.forward(offset(positions)));
    } else if (sinusoids != null) {
      x = ops.add(x, sinusoids.forward(positions));
    }
    if (norm != null) {
      x = norm.forward(x);
    }
    return drop.forward(x);
  }

  /** Positions as rows of the learned table. */
  private Tensor offset(Tensor positions) {
    int k = config.layout().positionOffset();
    if (k == 0) {
      return positions;
    }
    int[] p = positions.toIntArray();
    for (int i = 0; i < p.length; i++) {
      p[i] += k;
    }
    return ops.ids(p, positions.shape().dims());
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
    Tensor x =
        embed(
            ops.ids(ids, batch, s), positions, encoderPositions, encoderSinusoids,
            encoderEmbeddingNorm);
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
    Tensor x = embed(ids, positions, decoderPositions, decoderSinusoids, decoderEmbeddingNorm);
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
    return lmLogits(h);
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
    return lmLogits(h);
  }

  /**
   * Logits of decoder hidden states, (..., C) → (..., V): the output projection and, for the
   * families that have it, {@code final_logits_bias}.
   */
  public Tensor lmLogits(Tensor hidden) {
    Tensor logits = head.logits(hidden);
    return finalLogitsBias == null ? logits : ops.add(logits, finalLogitsBias);
  }

  /**
   * The output projections are quantized with the blocks' weights: the shared table when tied
   * (also the lookup), else {@code lm_head}.
   */
  @Override
  protected void quantizeOwn(WeightPrecision precision) {
    shared.quantizeAsOutputProjection(precision);
    if (lmHead != null) {
      lmHead.quantizeAsOutputProjection(precision);
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
    return config.maxPositions();
  }

  @Override
  public int maxTargetPositions() {
    return config.maxPositions();
  }

  /**
   * The output projection ({@code shared}, or {@code lm_head} when untied), without {@code
   * final_logits_bias}: {@link #lmLogits} adds it.
   */
  public LmHead head() {
    return head;
  }

  /**
   * A decoding session for the sources {@code source} (B·S, with padding mask {@code sourceMask}
   * or null): the encoder runs once here, each layer's cross-attention keys and values are
   * projected at the first step and then reused. A first step may feed k·B rows: each source then
   * serves k consecutive rows (the beams of beam search without the cache).
   */
  @Override
  public DecodingSession session(int[] source, int batch, int[] sourceMask) {
    return new EncoderDecoderSession(
        ops, encode(source, batch, sourceMask), sourceMask, decoderLayers.size(), config.vocabSize()) {
      @Override
      protected Tensor decodeLast(
          int[] ids, int[] positions, int b, Tensor selfMask, Tensor memory, Tensor memoryMask) {
        int t = ids.length / b;
        Tensor h =
            decode(ops.ids(ids, b, t), ops.ids(positions, b, t), selfMask, memory, memoryMask, cache);
        Tensor last = t == 1 ? h : ops.slice(h, 1, t - 1, t);
        return ops.reshape(lmLogits(last), b, config.vocabSize());
      }
    };
  }

  /**
   * Every tensor of this model under the names its family's checkpoints use, in the order to write
   * them: our {@code transformer}'s parameters as they are; for a Hugging Face family, the
   * parameters under {@code model.} (an untied {@code lm_head.weight} without it), {@code
   * final_logits_bias} (1, V) and, for sinusoidal families, each stack's table {@code
   * model.encoder.embed_positions.weight} (transformers 5.18 reads a stored table for Pegasus and
   * Marian alike, and warns when Pegasus's is missing). {@link #load} reads exactly this back.
   *
   * @throws IllegalStateException when the weights are held in reduced precision
   */
  public Map<String, Tensor> checkpointTensors() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (!config.layout().huggingFace()) {
      out.putAll(parameters());
      return out;
    }
    parameters().forEach((n, t) -> out.put(n.equals("lm_head.weight") ? n : "model." + n, t));
    if (finalLogitsBias != null) {
      out.put("final_logits_bias", ops.reshape(finalLogitsBias, 1, config.vocabSize()));
    }
    if (config.layout().halfSinusoids()) {
      out.put("model.encoder.embed_positions.weight", encoderSinusoids.table());
      out.put("model.decoder.embed_positions.weight", decoderSinusoids.table());
    }
    return out;
  }

  /**
   * Loads a checkpoint. Our own {@code transformer} has exactly this model's names. A Hugging Face
   * family's has them under {@code model.} ({@code ...ForConditionalGeneration}, {@code
   * MarianMTModel}) or bare ({@code BartModel}), may repeat the tied tables ({@code
   * encoder.embed_tokens}, {@code decoder.embed_tokens}, a tied {@code lm_head}), and may hold
   * {@code final_logits_bias} and the sinusoid tables, which replace the computed ones. Every
   * shape is checked before anything is replaced.
   */
  public void load(Weights weights) {
    EncoderDecoderConfig.Layout layout = config.layout();
    if (!layout.huggingFace()) {
      WeightLoader.load(ops, this, weights, "", n -> false);
      return;
    }
    String prefix = WeightLoader.detectPrefix(weights, "shared.weight", "model.");
    Weights w = prefix.isEmpty() ? weights : new Unprefixed(weights, prefix);
    int v = config.vocabSize();
    int c = config.dModel();
    int p = config.maxPositions();
    float[] bias = fixedTable(w, "final_logits_bias", 1, v);
    float[] encoderTable =
        encoderSinusoids == null ? null : fixedTable(w, "encoder.embed_positions.weight", p, c);
    float[] decoderTable =
        encoderSinusoids == null ? null : fixedTable(w, "decoder.embed_positions.weight", p, c);
    try {
      WeightLoader.load(
          ops, this, w, "",
          n -> n.equals("encoder.embed_tokens.weight") || n.equals("decoder.embed_tokens.weight")
              || n.equals("final_logits_bias")
              || (lmHead == null && n.equals("lm_head.weight"))
              || (encoderSinusoids != null
                  && (n.equals("encoder.embed_positions.weight")
                      || n.equals("decoder.embed_positions.weight"))));
    } catch (IllegalArgumentException e) {
      if (prefix.isEmpty()) {
        throw e;
      }
      throw new IllegalArgumentException(
          e.getMessage() + " (names shown without the checkpoint's '" + prefix + "' prefix)", e);
    }
    if (bias != null) {
      if (finalLogitsBias == null) {
        throw new IllegalArgumentException(
            config.layout().modelType() + " has no final_logits_bias, but the checkpoint does");
      }
      Tensor old = finalLogitsBias;
      finalLogitsBias = ops.tensor(bias, v);
      old.close();
    }
    if (encoderTable != null) {
      encoderSinusoids.replace(encoderTable);
    }
    if (decoderTable != null) {
      decoderSinusoids.replace(decoderTable);
    }
  }

  /**
   * The values of fixed table {@code name} when the checkpoint has it, else null.
   *
   * @throws IllegalArgumentException naming the tensor when its shape is not (rows, cols)
   */
  private static float[] fixedTable(Weights w, String name, int rows, int cols) {
    if (!w.contains(name)) {
      return null;
    }
    Shape found = w.shape(name);
    if (!found.equals(Shape.of(rows, cols))) {
      throw new IllegalArgumentException(
          "checkpoint tensor '" + name + "': expected shape " + Shape.of(rows, cols)
              + " but it has " + found);
    }
    return w.floats(name);
  }

  /** A checkpoint's tensors with {@code prefix} dropped from the names that have it. */
  private static final class Unprefixed implements Weights {
    private final Weights inner;
    private final Map<String, String> names = new LinkedHashMap<>();

    Unprefixed(Weights inner, String prefix) {
      this.inner = inner;
      for (String n : inner.names()) {
        String local = n.startsWith(prefix) ? n.substring(prefix.length()) : n;
        if (names.putIfAbsent(local, n) != null) {
          throw new IllegalArgumentException(
              "checkpoint holds both '" + n + "' and '" + names.get(local) + "'");
        }
      }
    }

    private String file(String name) {
      String n = names.get(name);
      if (n == null) {
        throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'");
      }
      return n;
    }

    @Override
    public Set<String> names() {
      return names.keySet();
    }

    @Override
    public Shape shape(String name) {
      return inner.shape(file(name));
    }

    @Override
    public DType storedAs(String name) {
      return inner.storedAs(file(name));
    }

    @Override
    public float[] floats(String name) {
      return inner.floats(file(name));
    }
  }
}
