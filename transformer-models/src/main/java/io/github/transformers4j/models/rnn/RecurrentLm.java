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
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.weights.Weights;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.io.AtomicFiles;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A recurrent language model, the baseline the transformer is compared with (issue 13): token
 * embedding → a stack of {@link Rnn}, {@link Lstm} or {@link Gru} layers → a linear head over the
 * vocabulary, {@code logits_t = head(drop(h_t))}. Parameter names are those of the equivalent
 * PyTorch module ({@code embedding.weight}, {@code rnn.weight_ih_l0}, ..., {@code head.weight},
 * {@code head.bias}), so a state dict of
 *
 * <pre>{@code
 * class RecurrentLm(nn.Module):
 *     def __init__(s, V, E, H, L, p):
 *         s.embedding = nn.Embedding(V, E); s.drop = nn.Dropout(p)
 *         s.rnn = nn.LSTM(E, H, L, dropout=p, batch_first=True); s.head = nn.Linear(H, V)
 * }</pre>
 *
 * loads name for name. Unlike the GPT there is no position limit and no KV cache: decoding
 * carries one fixed-size state, (L, B, H) for h (and c for the LSTM), whatever the context length
 * ({@link Session#stateBytes()}).
 */
public final class RecurrentLm extends AbstractModule implements PretrainedModel, CausalLm {
  /** The registry name and {@code model_type} of the folders it is saved in. */
  public static final String ARCHITECTURE = "t4j-recurrent-lm";

  /**
   * The carried state between calls: each (L, B, H).
   *
   * @param h the hidden states of every layer
   * @param c the LSTM's cell states, or null for the RNN and GRU
   */
  public record State(Tensor h, Tensor c) {}

  /**
   * Logits and the state after the last step.
   *
   * @param logits (B, T, V)
   * @param state the state after each row's last real token
   */
  public record Output(Tensor logits, State state) {}

  private final RecurrentLmConfig config;
  private final Embedding embedding;
  private final Dropout drop;
  private final RecurrentLayer rnn;
  private final Linear head;

  /**
   * A model with PyTorch's initialization drawn from {@code config.seed()}: the table from N(0,
   * 1), the recurrent weights from U(−1/√H, 1/√H), the head from N(0, 1/(3H)) (the variance of
   * PyTorch's U(−1/√H, 1/√H)) with zero bias.
   */
  public RecurrentLm(Ops ops, RecurrentLmConfig config) {
    super(ops);
    this.config = config;
    SplittableRandom rng = new SplittableRandom(config.seed());
    int v = config.vocabSize();
    int h = config.hiddenSize();
    this.embedding = child("embedding", new Embedding(ops, v, config.embeddingSize(), rng.split(), 1.0));
    this.drop = child("drop", new Dropout(ops, config.dropout()));
    RecurrentConfig rc = config.layers();
    SplittableRandom r = rng.split();
    this.rnn =
        child(
            "rnn",
            switch (config.cell()) {
              case RNN -> new Rnn(ops, rc, Rnn.Nonlinearity.TANH, r);
              case RNN_RELU -> new Rnn(ops, rc, Rnn.Nonlinearity.RELU, r);
              case LSTM -> new Lstm(ops, rc, r);
              case GRU -> new Gru(ops, rc, r);
            });
    this.head =
        child(
            "head",
            new Linear(ops, h, v, Linear.Layout.OUT_IN, true, rng.split(), 1.0 / Math.sqrt(3.0 * h)));
  }

  /** The configuration. */
  public RecurrentLmConfig config() {
    return config;
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }

  /**
   * The number of parameters a model of {@code c} has, without building it: V·E for the table,
   * G·H·(in + H + 2) per layer (in = E for the first, H above), H·V + V for the head.
   */
  public static long parameterCount(RecurrentLmConfig c) {
    long v = c.vocabSize();
    long h = c.hiddenSize();
    long g = c.cell().gates();
    long n = v * c.embeddingSize() + h * v + v;
    for (int layer = 0; layer < c.numLayers(); layer++) {
      long in = layer == 0 ? c.embeddingSize() : h;
      n += g * h * (in + h + 2);
    }
    return n;
  }

  /**
   * {@code base} with the hidden width H whose {@link #parameterCount} is nearest {@code target}
   * (the smaller H on a tie), everything else kept: how a recurrent model is sized to a
   * transformer's parameter count. The count grows strictly with H, so this is a bisection.
   *
   * @throws IllegalArgumentException when even H = 1 has more parameters than {@code target}
   *     allows by more than H = 1 is off, i.e. when the table alone overshoots it; the message
   *     names both counts
   */
  public static RecurrentLmConfig sizedFor(RecurrentLmConfig base, long target) {
    long smallest = parameterCount(base.withHiddenSize(1));
    if (target < smallest) {
      throw new IllegalArgumentException(
          "a " + base.cell().label() + " language model of vocabulary " + base.vocabSize()
              + ", embedding " + base.embeddingSize() + " and " + base.numLayers()
              + " layers has at least " + smallest + " parameters (hidden 1); the target "
              + target + " is smaller");
    }
    return base.withHiddenSize(nearestHidden(h -> parameterCount(base.withHiddenSize(h)), target));
  }

  /**
   * The hidden width H in [1, 2^17] whose {@code count(H)} is nearest {@code target} (the smaller
   * on a tie), for a count that grows strictly with H: a bisection for the largest H with a count
   * at most the target, then that H or the next.
   */
  static int nearestHidden(java.util.function.IntToLongFunction count, long target) {
    int max = 1 << 17; // ConfigLimits.MAX_WIDTH
    int lo = 1;
    int hi = max;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (count.applyAsLong(mid) <= target) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    if (lo < max && count.applyAsLong(lo + 1) - target < Math.abs(target - count.applyAsLong(lo))) {
      return lo + 1;
    }
    return lo;
  }

  /**
   * Runs the model over a batch.
   *
   * @param ids (B, T) I32 token ids
   * @param initial the state to start from (each (L, B, H)), or null for zeros
   * @param lengths each row's length in [1, T] (right padding), or null when all are T long;
   *     logits past a row's length are those of a zero state (the head's bias) and ignored by
   *     callers
   * @return logits (B, T, V) and the state after each row's last real token
   */
  public Output forward(Tensor ids, State initial, int[] lengths) {
    if (ids.rank() != 2) {
      throw new IllegalArgumentException(
          "recurrent LM input: expected ids (B, T), got shape " + ids.shape());
    }
    Tensor x = drop.forward(embedding.forward(ids)); // (B, T) -> (B, T, E)
    RecurrentOutput out =
        rnn.forward(
            x,
            initial == null ? null : initial.h(),
            initial == null ? null : initial.c(),
            lengths); // (B, T, E) -> (B, T, H)
    Tensor logits = head.forward(drop.forward(out.output())); // (B, T, H) -> (B, T, V)
    return new Output(logits, new State(out.hN(), out.cN()));
  }

  /** Logits (B, T, V) of right-padded rows from zero states (teacher forcing). */
  @Override
  public Tensor logits(int[] ids, int[] attentionMask, int batch) {
    if (batch <= 0 || ids.length % batch != 0 || ids.length == 0) {
      throw new IllegalArgumentException(
          "recurrent LM input: " + ids.length + " ids do not split into " + batch + " rows");
    }
    int t = ids.length / batch;
    return forward(ops.ids(ids, batch, t), null, lengths(attentionMask, batch, t)).logits();
  }

  /**
   * The row lengths of a right-padding mask (B·T), or null when nothing is padded.
   *
   * @throws IllegalArgumentException when a row is empty or has a token after padding
   */
  static int[] lengths(int[] mask, int batch, int t) {
    if (mask == null) {
      return null;
    }
    if (mask.length != batch * t) {
      throw new IllegalArgumentException(
          "recurrent LM attention mask: expected " + batch * t + " entries (B·T), got " + mask.length);
    }
    int[] lengths = new int[batch];
    boolean padded = false;
    for (int r = 0; r < batch; r++) {
      int n = 0;
      while (n < t && mask[r * t + n] != 0) {
        n++;
      }
      for (int i = n; i < t; i++) {
        if (mask[r * t + i] != 0) {
          throw new IllegalArgumentException(
              "recurrent LM attention mask: row " + r + " has a token at " + i
                  + " after padding; a recurrent model reads right-padded rows only");
        }
      }
      if (n == 0) {
        throw new IllegalArgumentException("recurrent LM attention mask: row " + r + " is empty");
      }
      padded |= n < t;
      lengths[r] = n;
    }
    return padded ? lengths : null;
  }

  /** A state of zeros for {@code batch} rows. */
  public State zeroState(int batch) {
    int l = config.numLayers();
    int h = config.hiddenSize();
    return new State(
        ops.zeros(l, batch, h), config.cell() == RecurrentLmConfig.Cell.LSTM ? ops.zeros(l, batch, h) : null);
  }

  /**
   * Loads a checkpoint by this model's names ({@code embedding.weight}, {@code rnn.*}, {@code
   * head.*}).
   *
   * @throws IllegalArgumentException naming every missing, unexpected or wrongly shaped tensor
   */
  @Override
  public void load(Weights weights) {
    WeightLoader.load(ops, this, weights, "", n -> false);
  }

  /**
   * Writes {@code config.json} and {@code model.safetensors} (F32, the names above) into {@code
   * dir}, each atomically, so that {@code Pretrained.load(ops, dir, RecurrentLm.class)} reads the
   * model back. Other files in {@code dir} are left alone.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : parameters().entrySet()) {
      Tensor v = e.getValue();
      tensors.put(e.getKey(), new TensorData(v.shape(), v.toFloatArray()));
    }
    SafeTensors.write(dir.resolve(Pretrained.WEIGHTS), tensors, Map.of("format", "pt"), DType.F32);
    AtomicFiles.write(
        dir.resolve(Pretrained.CONFIG),
        new com.google.gson.GsonBuilder()
            .setPrettyPrinting()
            .serializeNulls()
            .create()
            .toJson(config.toMap())
            .getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  /** No limit from the model: a recurrent state has no position table. */
  @Override
  public int maxPositions() {
    return Integer.MAX_VALUE;
  }

  @Override
  public Session session() {
    return new Session();
  }

  /**
   * Step-by-step decoding: the state of every row is carried between calls, its size fixed
   * whatever the number of tokens fed. Left-padded prompts are handled by holding a row's state
   * over its padding (the positions are not used: a recurrent model has none).
   */
  public final class Session implements DecodingSession {
    private State state;
    private int length;
    private int rows = -1;

    @Override
    public int vocabSize() {
      return config.vocabSize();
    }

    @Override
    public int length() {
      return length;
    }

    /** The state carried now (each (L, B, H)), or null before the first step. */
    public State state() {
      return state;
    }

    /** Bytes of the carried state: 4·L·B·H, twice that for the LSTM; 0 before the first step. */
    public long stateBytes() {
      if (state == null) {
        return 0;
      }
      return 4L * (state.h().size() + (state.c() == null ? 0 : state.c().size()));
    }

    @Override
    public Tensor step(int[] ids, int[] positions, int batch, int[] keyMask) {
      if (batch <= 0 || ids.length % batch != 0 || ids.length == 0) {
        throw new IllegalArgumentException(
            "recurrent LM step: " + ids.length + " ids do not split into " + batch + " rows");
      }
      if (rows >= 0 && batch != rows) {
        throw new IllegalArgumentException(
            "recurrent LM step: the session holds " + rows + " rows, got " + batch);
      }
      rows = batch;
      int t = ids.length / batch;
      if (state == null) {
        state = zeroState(batch);
      }
      Tensor last;
      if (keyMask == null || allOnes(keyMask, batch, length, t)) {
        Output out = forward(ops.ids(ids, batch, t), state, null);
        state = out.state();
        last = t == 1 ? out.logits() : ops.slice(out.logits(), 1, t - 1, t); // (B, 1, V)
      } else {
        if (keyMask.length != batch * (length + t)) {
          throw new IllegalArgumentException(
              "recurrent LM step: key mask has " + keyMask.length + " entries, expected "
                  + batch * (length + t) + " (B·(length + t))");
        }
        last = null;
        int total = length + t;
        for (int s = 0; s < t; s++) {
          int[] col = new int[batch];
          float[] m = new float[batch];
          float[] keep = new float[batch];
          for (int r = 0; r < batch; r++) {
            col[r] = ids[r * t + s];
            boolean on = keyMask[r * total + length + s] != 0;
            m[r] = on ? 1f : 0f;
            keep[r] = on ? 0f : 1f;
          }
          Output out = forward(ops.ids(col, batch, 1), state, null);
          // A padded position leaves the row's state as it was.
          Tensor mm = ops.tensor(m, 1, batch, 1);
          Tensor kk = ops.tensor(keep, 1, batch, 1);
          State next = out.state();
          state =
              new State(
                  blend(next.h(), state.h(), mm, kk),
                  next.c() == null ? null : blend(next.c(), state.c(), mm, kk));
          last = out.logits();
        }
      }
      length += t;
      return ops.reshape(last, batch, config.vocabSize()); // (B, 1, V) -> (B, V)
    }

    private Tensor blend(Tensor fresh, Tensor old, Tensor m, Tensor keep) {
      return ops.add(ops.mul(fresh, m), ops.mul(old, keep));
    }

    @Override
    public void selectRows(int[] picked) {
      if (state == null) {
        return;
      }
      Tensor r = ops.ids(picked, picked.length);
      state = new State(select(state.h(), r), state.c() == null ? null : select(state.c(), r));
      rows = picked.length;
    }

    private Tensor select(Tensor s, Tensor r) {
      // (L, B, H) -> (B, L·H): an embedding lookup gathers whole rows, then back.
      int l = s.shape().dim(0);
      int b = s.shape().dim(1);
      int h = s.shape().dim(2);
      Tensor rowsFirst = ops.reshape(ops.transpose(s, 0, 1), b, l * h);
      Tensor picked = ops.embedding(rowsFirst, r); // (B', L·H)
      return ops.transpose(ops.reshape(picked, r.size(), l, h), 0, 1);
    }
  }

  private static boolean allOnes(int[] mask, int batch, int past, int t) {
    int total = past + t;
    if (mask.length != batch * total) {
      return false;
    }
    for (int r = 0; r < batch; r++) {
      for (int s = past; s < total; s++) {
        if (mask[r * total + s] == 0) {
          return false;
        }
      }
    }
    return true;
  }
}
