package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Dropout;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Init;
import io.github.transformers4j.models.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A stack of recurrent layers (the shared time loop of {@link Rnn}, {@link Lstm} and {@link Gru}):
 * per layer and direction, the input projection of all steps is one product, then {@link #step}
 * runs once per time step. Parameters carry PyTorch's names ({@code weight_ih_l{k}} (G·H, in),
 * {@code weight_hh_l{k}} (G·H, H), {@code bias_ih_l{k}}, {@code bias_hh_l{k}} (G·H), suffix {@code
 * _reverse} for the backward direction), G being the gate count, so a PyTorch state dict loads
 * through {@code WeightLoader} with no prefix.
 *
 * <p>Variable lengths follow PyTorch's packed sequences: past a row's length its state is held and
 * its output is zero, so the forward direction's final state is the state at its last real step,
 * and the reverse direction starts (from its initial state) at the row's last real token.
 */
public abstract class RecurrentLayer extends AbstractModule {
  private final RecurrentConfig config;
  private final int gates;
  /** [layer·D + dir] → {weight_ih, weight_hh, bias_ih or null, bias_hh or null}. */
  private final Parameter[][] weights;
  private final Dropout dropout;

  /**
   * Parameters drawn from U(−1/√H, 1/√H) with {@code rng}, as PyTorch initializes them.
   *
   * @param gates gate blocks stacked in each weight: 1 (RNN), 4 (LSTM), 3 (GRU)
   */
  protected RecurrentLayer(Ops ops, RecurrentConfig config, int gates, SplittableRandom rng) {
    super(ops);
    this.config = config;
    this.gates = gates;
    int h = config.hiddenSize();
    int d = config.directions();
    double bound = 1.0 / Math.sqrt(h);
    weights = new Parameter[config.numLayers() * d][];
    for (int layer = 0; layer < config.numLayers(); layer++) {
      int in = layer == 0 ? config.inputSize() : h * d;
      for (int dir = 0; dir < d; dir++) {
        String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
        Parameter wih = uniform("weight_ih" + suffix, rng, bound, gates * h, in);
        Parameter whh = uniform("weight_hh" + suffix, rng, bound, gates * h, h);
        Parameter bih = config.bias() ? uniform("bias_ih" + suffix, rng, bound, gates * h) : null;
        Parameter bhh = config.bias() ? uniform("bias_hh" + suffix, rng, bound, gates * h) : null;
        weights[layer * d + dir] = new Parameter[] {wih, whh, bih, bhh};
      }
    }
    dropout = child("dropout", new Dropout(ops, config.dropout()));
  }

  private Parameter uniform(String name, SplittableRandom rng, double bound, int... dims) {
    return parameter(name, ops.tensor(Init.uniform(rng.split(), Shape.of(dims).size(), bound), dims));
  }

  /** The stack's shape. */
  public RecurrentConfig config() {
    return config;
  }

  /** The layer's name in messages: {@code RNN}, {@code LSTM}, {@code GRU}. */
  protected abstract String kind();

  /** Whether the state has a cell part (the LSTM's {@code c}). */
  protected boolean hasCell() {
    return false;
  }

  /**
   * One time step of one direction of one layer: the gates and the next state. This is the one
   * place a step is computed, so a fused per-step kernel can replace it.
   *
   * @param gx the step's input projection {@code x_t·W_ihᵀ + b_ih}, (B, G·H)
   * @param state the previous state, each part (B, H)
   * @param whh {@code weight_hh} (G·H, H)
   * @param bhh {@code bias_hh} (G·H), or {@code null}
   * @return the next state, each part (B, H); its {@code h} is also the step's output
   */
  protected abstract CellState step(Tensor gx, CellState state, Tensor whh, Tensor bhh);

  /** {@link #forward(Tensor, Tensor, Tensor, int[])} from zero states over full-length rows. */
  public RecurrentOutput forward(Tensor x) {
    return forward(x, null, null, null);
  }

  /**
   * Runs the stack over {@code x}.
   *
   * @param x (B, T, I) batch-first, else (T, B, I)
   * @param h0 initial hidden states (L·D, B, H), or {@code null} for zeros
   * @param c0 the LSTM's initial cell states (L·D, B, H), or {@code null} for zeros; must be
   *     {@code null} for the RNN and GRU
   * @param lengths each row's length in [1, T] (a right-padded batch), or {@code null} when every
   *     row is T long
   */
  public RecurrentOutput forward(Tensor x, Tensor h0, Tensor c0, int[] lengths) {
    int hs = config.hiddenSize();
    int d = config.directions();
    int stack = config.numLayers() * d;
    String layout = config.batchFirst() ? "(B, T, input_size " : "(T, B, input_size ";
    if (x.rank() != 3 || x.shape().dim(2) != config.inputSize()) {
      throw new IllegalArgumentException(
          kind() + " input: expected " + layout + config.inputSize() + "), got " + x.shape());
    }
    Tensor in = config.batchFirst() ? x : ops.transpose(x, 0, 1); // (T, B, I) -> (B, T, I)
    int b = in.shape().dim(0);
    int t = in.shape().dim(1);
    if (t == 0 || b == 0) {
      throw new IllegalArgumentException(kind() + " input: empty batch or sequence, shape " + x.shape());
    }
    requireState("h0", h0, stack, b);
    if (c0 != null && !hasCell()) {
      throw new IllegalArgumentException(
          kind() + " initial state c0: only an LSTM has a cell state; pass h0 alone");
    }
    requireState("c0", c0, stack, b);
    Tensor[][] masks = lengths == null ? null : masks(lengths, b, t);

    List<Tensor> finalH = new ArrayList<>();
    List<Tensor> finalC = new ArrayList<>();
    Tensor layerIn = in;
    for (int layer = 0; layer < config.numLayers(); layer++) {
      if (layer > 0) {
        layerIn = dropout.forward(layerIn);
      }
      List<Tensor> outputs = new ArrayList<>(d);
      for (int dir = 0; dir < d; dir++) {
        int k = layer * d + dir;
        Parameter[] w = weights[k];
        // (B, T, in) -> (B, T, G·H): every step's input projection in one product
        Tensor gx = ops.linear(layerIn, w[0].get(), true, w[2] == null ? null : w[2].get());
        CellState state =
            new CellState(initial(h0, k, b), hasCell() ? initial(c0, k, b) : null);
        Tensor[] perStep = new Tensor[t];
        split(gx, 0, t, perStep);
        Tensor[] steps = new Tensor[t];
        for (int s = 0; s < t; s++) {
          int at = dir == 0 ? s : t - 1 - s;
          Tensor g = ops.reshape(perStep[at], b, gates * hs); // (B, 1, G·H) -> (B, G·H)
          CellState next = step(g, state, w[1].get(), w[3] == null ? null : w[3].get());
          Tensor out = next.h();
          if (masks != null && masks[at] != null) {
            Tensor m = masks[at][0];
            Tensor keep = masks[at][1];
            out = ops.mul(next.h(), m);
            next =
                new CellState(
                    ops.add(out, ops.mul(state.h(), keep)),
                    next.c() == null ? null : ops.add(ops.mul(next.c(), m), ops.mul(state.c(), keep)));
          }
          steps[at] = ops.reshape(out, b, 1, hs); // (B, H) -> (B, 1, H)
          state = next;
        }
        outputs.add(ops.concat(Arrays.asList(steps), 1)); // T × (B, 1, H) -> (B, T, H)
        finalH.add(ops.reshape(state.h(), 1, b, hs));
        if (state.c() != null) {
          finalC.add(ops.reshape(state.c(), 1, b, hs));
        }
      }
      layerIn = d == 1 ? outputs.get(0) : ops.concat(outputs, 2); // (B, T, D·H)
    }
    Tensor output = config.batchFirst() ? layerIn : ops.transpose(layerIn, 0, 1);
    Tensor hN = stack == 1 ? finalH.get(0) : ops.concat(finalH, 0);
    Tensor cN = finalC.isEmpty() ? null : stack == 1 ? finalC.get(0) : ops.concat(finalC, 0);
    return new RecurrentOutput(output, hN, cN);
  }

  /**
   * Cuts {@code x} (B, n, ·), covering steps [from, from + n), into its n single steps along axis
   * 1, halving recursively. The backward of a slice is a tensor of the sliced tensor's full size, so
   * T slices of the whole would cost O(T²) in the backward; halving costs O(T log T).
   */
  private void split(Tensor x, int from, int n, Tensor[] out) {
    if (n == 1) {
      out[from] = x;
      return;
    }
    int half = n / 2;
    split(ops.slice(x, 1, 0, half), from, half, out);
    split(ops.slice(x, 1, half, n), from + half, n - half, out);
  }

  private void requireState(String name, Tensor s, int stack, int b) {
    if (s == null) {
      return;
    }
    Shape want = Shape.of(stack, b, config.hiddenSize());
    if (!s.shape().equals(want)) {
      throw new IllegalArgumentException(
          kind() + " initial state " + name + ": expected shape " + want
              + " (layers × directions, batch, hidden_size), got " + s.shape());
    }
  }

  private Tensor initial(Tensor s, int k, int b) {
    int hs = config.hiddenSize();
    return s == null ? ops.zeros(b, hs) : ops.reshape(ops.slice(s, 0, k, k + 1), b, hs);
  }

  /**
   * Per step, {m, 1 − m} with m (B, 1) one for the rows still running; {@code null} at steps where
   * every row runs, which then need no masking.
   */
  private Tensor[][] masks(int[] lengths, int b, int t) {
    if (lengths.length != b) {
      throw new IllegalArgumentException(
          kind() + " lengths: expected one per batch row (" + b + "), got " + lengths.length);
    }
    for (int i = 0; i < b; i++) {
      if (lengths[i] < 1 || lengths[i] > t) {
        throw new IllegalArgumentException(
            kind() + " lengths: row " + i + " has length " + lengths[i] + "; each must be in [1, "
                + t + "] (the padded sequence length)");
      }
    }
    Tensor[][] masks = new Tensor[t][];
    for (int s = 0; s < t; s++) {
      float[] m = new float[b];
      float[] keep = new float[b];
      boolean all = true;
      for (int i = 0; i < b; i++) {
        boolean on = s < lengths[i];
        m[i] = on ? 1f : 0f;
        keep[i] = on ? 0f : 1f;
        all &= on;
      }
      if (!all) {
        masks[s] = new Tensor[] {ops.tensor(m, b, 1), ops.tensor(keep, b, 1)};
      }
    }
    return masks;
  }
}
