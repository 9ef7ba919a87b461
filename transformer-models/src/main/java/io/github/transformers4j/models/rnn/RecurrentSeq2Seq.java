package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.generation.DecodingSession;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.layers.Embedding;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.Weights;
import java.util.SplittableRandom;

/**
 * A recurrent encoder-decoder with attention (Luong et al. 2015, global "general" attention, no
 * input feeding), the recurrent baseline of {@code t4j train seq2seq --arch gru|lstm}:
 *
 * <pre>
 *   h̄ = encoder(drop(embedding[src]))                 (B, S, H), final states s_enc
 *   h = decoder(drop(embedding[y_in]), initial s_enc)  (B, T, H)
 *   h̃ = attn(h, h̄)                                   (B, T, H), {@link LuongAttention}
 *   logits = head(drop(h̃))                           (B, T, V)
 * </pre>
 *
 * One embedding table serves source and target (the char vocabulary is shared, as the
 * transformer's {@code shared}). Why Luong rather than Bahdanau: Luong's score reads the decoder
 * state after its step, so under teacher forcing the decoder is one call of the recurrent stack
 * over all T steps (its fused per-step kernel, no attention inside the time loop) and the
 * attention of all steps is two batched products; Bahdanau's context enters the recurrence, which
 * would need a time loop of its own. Input feeding (h̃_{t−1} into step t) is left out for the
 * same reason. Names: {@code embedding.weight}, {@code encoder.weight_ih_l0} ..., {@code
 * decoder.*}, {@code attn.attention.weight}, {@code attn.combine.weight/bias}, {@code head.*}.
 */
public final class RecurrentSeq2Seq extends AbstractModule implements PretrainedModel {
  /** The registry name and {@code model_type} of its folders. */
  public static final String ARCHITECTURE = "t4j-recurrent-seq2seq";

  /**
   * An encoded source batch: what every decoder step reads.
   *
   * @param memory the encoder's states (B, S, H), zero past each row's length
   * @param keys the attention keys W_a·h̄ (B, S, H)
   * @param mask additive (B, 1, S) over padded source positions, or null
   * @param sourceMask (B·S) 1 for a token, 0 for padding, or null
   * @param state the encoder's final states, each (L, B, H)
   */
  public record Encoded(
      Tensor memory, Tensor keys, Tensor mask, int[] sourceMask, RecurrentLm.State state) {}

  private final RecurrentSeq2SeqConfig config;
  private final Embedding embedding;
  private final Dropout drop;
  private final RecurrentLayer encoder;
  private final RecurrentLayer decoder;
  private final LuongAttention attn;
  private final Linear head;

  /** A model with PyTorch-like initialization drawn from {@code config.seed()}. */
  public RecurrentSeq2Seq(Ops ops, RecurrentSeq2SeqConfig config) {
    super(ops);
    this.config = config;
    SplittableRandom rng = new SplittableRandom(config.seed());
    int h = config.hiddenSize();
    this.embedding =
        child("embedding", new Embedding(ops, config.vocabSize(), config.embeddingSize(), rng.split(), 1.0));
    this.drop = child("drop", new Dropout(ops, config.dropout()));
    this.encoder = child("encoder", layer(ops, config, rng.split()));
    this.decoder = child("decoder", layer(ops, config, rng.split()));
    this.attn = child("attn", new LuongAttention(ops, h, rng.split()));
    this.head =
        child(
            "head",
            new Linear(ops, h, config.vocabSize(), Linear.Layout.OUT_IN, true, rng.split(), Math.sqrt(1.0 / (3.0 * h))));
  }

  private static RecurrentLayer layer(Ops ops, RecurrentSeq2SeqConfig c, SplittableRandom r) {
    RecurrentConfig rc = c.layers();
    return switch (c.cell()) {
      case RNN -> new Rnn(ops, rc, Rnn.Nonlinearity.TANH, r);
      case RNN_RELU -> new Rnn(ops, rc, Rnn.Nonlinearity.RELU, r);
      case LSTM -> new Lstm(ops, rc, r);
      case GRU -> new Gru(ops, rc, r);
    };
  }

  /** The configuration. */
  public RecurrentSeq2SeqConfig config() {
    return config;
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }

  /**
   * The number of parameters a model of {@code c} has: V·E, twice G·H·(in + H + 2) per layer
   * (encoder and decoder), H² + 2H² + H for the attention, H·V + V for the head.
   */
  public static long parameterCount(RecurrentSeq2SeqConfig c) {
    long v = c.vocabSize();
    long h = c.hiddenSize();
    long g = c.cell().gates();
    long n = v * c.embeddingSize() + 3 * h * h + h + h * v + v;
    for (int layer = 0; layer < c.numLayers(); layer++) {
      long in = layer == 0 ? c.embeddingSize() : h;
      n += 2 * g * h * (in + h + 2);
    }
    return n;
  }

  /**
   * {@code base} with the hidden width whose {@link #parameterCount} is nearest {@code target}:
   * how the recurrent baseline is sized to a transformer's parameter count.
   */
  public static RecurrentSeq2SeqConfig sizedFor(RecurrentSeq2SeqConfig base, long target) {
    int h = RecurrentLm.nearestHidden(x -> parameterCount(base.withHiddenSize(x)), target);
    return base.withHiddenSize(h);
  }

  /**
   * Encodes a right-padded source batch.
   *
   * @param source (B·S) row-major ids
   * @param sourceMask (B·S) 1 for a token, 0 for padding (right padding), or null
   */
  public Encoded encode(int[] source, int batch, int[] sourceMask) {
    if (batch <= 0 || source.length == 0 || source.length % batch != 0) {
      throw new IllegalArgumentException(
          "recurrent seq2seq source: " + source.length + " ids do not split into " + batch + " rows");
    }
    int s = source.length / batch;
    int[] lengths = RecurrentLm.lengths(sourceMask, batch, s);
    Tensor x = drop.forward(embedding.forward(ops.ids(source, batch, s))); // (B, S) -> (B, S, E)
    RecurrentOutput out = encoder.forward(x, null, null, lengths); // (B, S, E) -> (B, S, H)
    return new Encoded(
        out.output(),
        attn.keys(out.output()),
        LuongAttention.mask(ops, sourceMask, batch, s),
        sourceMask,
        new RecurrentLm.State(out.hN(), out.cN()));
  }

  /**
   * Decodes teacher-forced or generated decoder inputs from {@code state}.
   *
   * @param ids (B, T) I32 decoder input ids
   * @param state the decoder's state to start from (the encoder's final states at first)
   * @return the logits (B, T, V) and the state after the last step
   */
  public RecurrentLm.Output decode(Tensor ids, Encoded enc, RecurrentLm.State state) {
    Tensor y = drop.forward(embedding.forward(ids)); // (B, T) -> (B, T, E)
    RecurrentOutput out = decoder.forward(y, state.h(), state.c(), null); // (B, T, H)
    Tensor att = attn.forward(out.output(), enc.memory(), enc.keys(), enc.mask()); // (B, T, H)
    Tensor logits = head.forward(drop.forward(att)); // (B, T, H) -> (B, T, V)
    return new RecurrentLm.Output(logits, new RecurrentLm.State(out.hN(), out.cN()));
  }

  /**
   * Teacher-forced logits (B, T, V).
   *
   * @param source (B·S) source ids, right-padded
   * @param sourceMask (B·S) or null
   * @param decoderInput (B, T) I32: the start token, then the target shifted right
   */
  public Tensor logits(int[] source, int[] sourceMask, Tensor decoderInput) {
    int b = decoderInput.shape().dim(0);
    Encoded enc = encode(source, b, sourceMask);
    return decode(decoderInput, enc, enc.state()).logits();
  }

  /**
   * Loads a checkpoint by this model's names.
   *
   * @throws IllegalArgumentException naming every missing, unexpected or wrongly shaped tensor
   */
  @Override
  public void load(Weights weights) {
    WeightLoader.load(ops, this, weights, "", n -> false);
  }

  /**
   * A decoding session over an encoded source batch, for {@link
   * io.github.transformers4j.models.generation.Generator}: it carries each row's decoder state
   * (fixed size) and gathers the encoder rows with it when beam search reorders or expands rows
   * (a first step fed k·B rows gives each source the k consecutive rows after it).
   */
  public DecodingSession session(int[] source, int batch, int[] sourceMask) {
    Encoded enc = encode(source, batch, sourceMask);
    return new DecodingSession() {
      private Encoded e = enc;
      private RecurrentLm.State state = enc.state();
      private int rows = batch;
      private int length;

      @Override
      public int vocabSize() {
        return config.vocabSize();
      }

      @Override
      public int length() {
        return length;
      }

      @Override
      public Tensor step(int[] ids, int[] positions, int b, int[] keyMask) {
        if (b != rows && length == 0 && b % rows == 0) {
          int k = b / rows;
          int[] repeat = new int[b];
          for (int r = 0; r < b; r++) {
            repeat[r] = r / k;
          }
          selectRows(repeat);
        }
        if (b != rows || ids.length % b != 0 || ids.length == 0) {
          throw new IllegalArgumentException(
              "recurrent seq2seq step: the session has " + rows + " rows, got " + ids.length
                  + " ids for " + b);
        }
        int t = ids.length / b;
        if (keyMask != null) {
          for (int r = 0; r < b; r++) {
            for (int i = length; i < length + t; i++) {
              if (keyMask[r * (length + t) + i] == 0) {
                throw new IllegalArgumentException(
                    "recurrent seq2seq step: padded decoder inputs are not supported (row " + r
                        + ")");
              }
            }
          }
        }
        RecurrentLm.Output out = decode(ops.ids(ids, b, t), e, state);
        state = out.state();
        length += t;
        Tensor last = t == 1 ? out.logits() : ops.slice(out.logits(), 1, t - 1, t);
        return ops.reshape(last, b, config.vocabSize()); // (B, 1, V) -> (B, V)
      }

      @Override
      public void selectRows(int[] select) {
        Tensor r = ops.ids(select, select.length);
        int[] m = null;
        int s = e.memory().shape().dim(1);
        if (e.sourceMask() != null) {
          m = new int[select.length * s];
          for (int i = 0; i < select.length; i++) {
            System.arraycopy(e.sourceMask(), select[i] * s, m, i * s, s);
          }
        }
        e =
            new Encoded(
                rowsOf(e.memory(), r),
                rowsOf(e.keys(), r),
                LuongAttention.mask(ops, m, select.length, s),
                m,
                null);
        state =
            new RecurrentLm.State(
                statesOf(state.h(), r), state.c() == null ? null : statesOf(state.c(), r));
        rows = select.length;
      }
    };
  }

  /** Rows {@code r} of a (B, S, H) tensor. */
  private Tensor rowsOf(Tensor x, Tensor r) {
    int b = x.shape().dim(0);
    int s = x.shape().dim(1);
    int h = x.shape().dim(2);
    return ops.reshape(ops.embedding(ops.reshape(x, b, s * h), r), r.size(), s, h);
  }

  /** Batch rows {@code r} of an (L, B, H) state. */
  private Tensor statesOf(Tensor x, Tensor r) {
    int l = x.shape().dim(0);
    int b = x.shape().dim(1);
    int h = x.shape().dim(2);
    Tensor rowsFirst = ops.reshape(ops.transpose(x, 0, 1), b, l * h); // (L, B, H) -> (B, L·H)
    return ops.transpose(ops.reshape(ops.embedding(rowsFirst, r), r.size(), l, h), 0, 1);
  }
}
