package io.github.transformers4j.training.bench;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.AttentionProvider;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.layers.AttentionCache;
import io.github.transformers4j.models.layers.AttentionMasks;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.layers.FeedForward;
import io.github.transformers4j.models.layers.KvCache;
import io.github.transformers4j.models.layers.LayerNorm;
import io.github.transformers4j.models.layers.MultiHeadAttention;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.training.models.ModuleParameters;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.Seq2SeqModel;
import io.github.transformers4j.training.objectives.TokenModel;
import io.github.transformers4j.training.optim.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small pre-LN transformer encoder-decoder (and, with no decoder, an encoder with a tied MLM
 * head) assembled from the layers of {@code transformer-models}, for the baselines only: the
 * encoder and encoder-decoder families of {@code transformer-models} do not exist yet. Names follow
 * BART ({@code q_proj}, {@code fc1}).
 */
public final class TinyTransformer extends AbstractModule implements Seq2SeqModel, TokenModel {
  private final int width;
  private final int heads;
  private final Embedding tokens;
  private final Embedding positions;
  private final Dropout drop;
  private final List<Layer> encoder = new ArrayList<>();
  private final List<Layer> decoder = new ArrayList<>();
  private final LayerNorm encNorm;
  private final LayerNorm decNorm;
  private ParameterSet params;

  /** One block: self-attention, optional cross-attention, feed-forward, each pre-normalized. */
  static final class Layer extends AbstractModule {
    final LayerNorm ln1;
    final MultiHeadAttention self;
    final LayerNorm lnX;
    final MultiHeadAttention cross;
    final LayerNorm ln2;
    final FeedForward ff;
    final Dropout drop;

    Layer(
        Ops ops,
        int c,
        int h,
        boolean withCross,
        float p,
        AttentionProvider att,
        SplittableRandom rng) {
      super(ops);
      ln1 = child("self_attn_layer_norm", new LayerNorm(ops, c, 1e-5f));
      self =
          child(
              "self_attn",
              new MultiHeadAttention(
                  ops, c, h, MultiHeadAttention.Names.BART, att, null, rng, 0.02));
      lnX = withCross ? child("encoder_attn_layer_norm", new LayerNorm(ops, c, 1e-5f)) : null;
      cross =
          withCross
              ? child(
                  "encoder_attn",
                  new MultiHeadAttention(
                      ops, c, h, MultiHeadAttention.Names.BART, att, null, rng, 0.02))
              : null;
      ln2 = child("final_layer_norm", new LayerNorm(ops, c, 1e-5f));
      ff =
          child(
              "ffn",
              new FeedForward(
                  ops, c, 4 * c, Activation.GELU, FeedForward.Names.BART, rng, 0.02, 0.02));
      drop = child("dropout", new Dropout(ops, p));
    }

    Tensor forward(
        Tensor x,
        Tensor mask,
        boolean causal,
        Tensor memory,
        Tensor memMask,
        AttentionCache self_,
        AttentionCache cross_) {
      x = ops.add(x, drop.forward(self.self(ln1.forward(x), mask, causal, null, self_)));
      if (cross != null) {
        x = ops.add(x, drop.forward(cross.cross(lnX.forward(x), memory, memMask, cross_)));
      }
      return ops.add(x, drop.forward(ff.forward(ln2.forward(x))));
    }
  }

  /** An encoder of {@code encLayers} and a decoder of {@code decLayers} (0: encoder only). */
  public TinyTransformer(
      Ops ops,
      int vocab,
      int maxLen,
      int width,
      int heads,
      int encLayers,
      int decLayers,
      float dropout,
      long seed) {
    super(ops);
    this.width = width;
    this.heads = heads;
    SplittableRandom rng = new SplittableRandom(seed);
    AttentionProvider att = Plugins.attentions().forName("sdpa");
    tokens = child("shared", new Embedding(ops, vocab, width, rng, 0.02));
    positions = child("embed_positions", new Embedding(ops, maxLen, width, rng, 0.02));
    drop = child("dropout", new Dropout(ops, dropout));
    for (int i = 0; i < encLayers; i++) {
      encoder.add(
          child("encoder.layers." + i, new Layer(ops, width, heads, false, dropout, att, rng)));
    }
    encNorm = child("encoder.layer_norm", new LayerNorm(ops, width, 1e-5f));
    for (int i = 0; i < decLayers; i++) {
      decoder.add(
          child("decoder.layers." + i, new Layer(ops, width, heads, true, dropout, att, rng)));
    }
    decNorm = decLayers > 0 ? child("decoder.layer_norm", new LayerNorm(ops, width, 1e-5f)) : null;
  }

  @Override
  public ParameterSet parameterSet() {
    if (params == null) {
      params = ModuleParameters.of(this);
    }
    return params;
  }

  private Tensor embed(Tensor ids, int offset) {
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    int[] pos = new int[b * t];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = offset + i % t;
    }
    return drop.forward(ops.add(tokens.forward(ids), positions.forward(ops.ids(pos, b, t))));
  }

  private static Tensor keyMask(Ops ops, Tensor mask) {
    return mask == null
        ? null
        : AttentionMasks.padding(ops, mask.toIntArray(), mask.shape().dim(0), mask.shape().dim(1));
  }

  /** The encoder output (B, S, C). */
  Tensor encode(Tensor src, Tensor srcMaskAdd) {
    Tensor x = embed(src, 0);
    for (Layer l : encoder) {
      x = l.forward(x, srcMaskAdd, false, null, null, null, null);
    }
    return encNorm.forward(x);
  }

  Tensor decode(
      Tensor ids, int offset, Tensor selfMask, Tensor memory, Tensor memMask, KvCache cache) {
    Tensor x = embed(ids, offset);
    for (int i = 0; i < decoder.size(); i++) {
      x =
          decoder
              .get(i)
              .forward(
                  x,
                  selfMask,
                  true,
                  memory,
                  memMask,
                  cache == null ? null : cache.self(i),
                  cache == null ? null : cache.cross(i));
    }
    return ops.matmul(decNorm.forward(x), tokens.weight(), false, true); // tied head, (B, T, V)
  }

  @Override
  public Tensor forward(
      Ops o, Tensor src, Tensor srcMask, Tensor decIn, Tensor decMask, Forward pass) {
    train(pass.training(), pass.seed());
    Tensor sm = keyMask(ops, srcMask);
    return decode(decIn, 0, keyMask(ops, decMask), encode(src, sm), sm, null);
  }

  /** The MLM logits of the encoder: (B, T, V) by the tied embedding. */
  @Override
  public Tensor forward(Ops o, Tensor ids, Tensor mask, Forward pass) {
    train(pass.training(), pass.seed());
    return ops.matmul(encode(ids, keyMask(ops, mask)), tokens.weight(), false, true);
  }

  /** A decoding session over the encoded {@code src} (1, S), replicated to the generator's rows. */
  public DecodingSession session(int[] src, int vocab) {
    train(false, 0);
    Tensor mem1 = encode(ops.ids(src, 1, src.length), null);
    KvCache cache = new KvCache(decoder.size(), true);
    return new DecodingSession() {
      Tensor memory = mem1;

      @Override
      public int vocabSize() {
        return vocab;
      }

      @Override
      public int length() {
        return cache.length();
      }

      @Override
      public Tensor step(int[] ids, int[] pos, int batch, int[] keep) {
        if (memory.shape().dim(0) != batch) {
          memory = rows(memory, new int[batch]); // every row reads the one source
        }
        int t = ids.length / batch;
        Tensor logits = decode(ops.ids(ids, batch, t), cache.length(), null, memory, null, cache);
        Tensor last = t == 1 ? logits : ops.slice(logits, 1, t - 1, t);
        return ops.reshape(last, batch, vocab);
      }

      @Override
      public void selectRows(int[] r) {
        memory = rows(memory, r);
        cache.selectRows(ops, r);
      }
    };
  }

  private Tensor rows(Tensor x, int[] r) {
    int[] d = x.shape().dims();
    Tensor picked = ops.embedding(ops.reshape(x, d[0], -1), ops.ids(r, r.length));
    d[0] = r.length;
    return ops.reshape(picked, d);
  }
}
