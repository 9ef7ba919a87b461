package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.RecurrentCell;
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
 * per layer and direction, the input projection of all steps is one product, then the time loop
 * runs as one {@link Ops#recurrentSequence} op (one tape entry for all T steps), or, in a padded
 * batch of variable lengths, {@link #step} once per time step. The stack runs time-major inside. Parameters carry PyTorch's names ({@code weight_ih_l{k}} (G·H, in),
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
   * The fused cell this layer's steps are, for {@link Ops#recurrentSequence}: the whole time loop
   * of a layer and direction in one op when every row runs all T steps. {@code null} (a layer
   * without one) runs {@link #step} once per step.
   */
  protected RecurrentCell cell() {
    return null;
  }

  /**
   * One time step of one direction of one layer: the gates and the next state. The time loop of
   * a padded batch (variable lengths, whose rows stop at different steps) runs it once per step.
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
    // The stack runs time-major: each step's rows are contiguous for the time loop.
    Tensor in = config.batchFirst() ? ops.transpose(x, 0, 1) : x; // (B, T, I) -> (T, B, I)
    int t = in.shape().dim(0);
    int b = in.shape().dim(1);
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
    RecurrentCell cell = cell();

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
        // (T, B, in) -> (T, B, G·H): every step's input projection in one product
        Tensor gx = ops.linear(layerIn, w[0].get(), true, w[2] == null ? null : w[2].get());
        Tensor whh = w[1].get();
        Tensor bhh = w[3] == null ? null : w[3].get();
        CellState initial =
            new CellState(initial(h0, k, b), hasCell() ? initial(c0, k, b) : null);
        CellState last;
        if (masks == null && cell != null) {
          // the whole time loop as one op: (T, B, H), or (T, B, 2H) of [h, c] for the LSTM
          Tensor states =
              ops.recurrentSequence(cell, gx, initial.h(), initial.c(), whh, bhh, dir == 1);
          outputs.add(hasCell() ? ops.slice(states, 2, 0, hs) : states);
          int end = dir == 0 ? t - 1 : 0;
          Tensor fin = ops.reshape(ops.slice(states, 0, end, end + 1), b, -1); // (B, H or 2H)
          last = hasCell()
              ? new CellState(ops.slice(fin, 1, 0, hs), ops.slice(fin, 1, hs, 2 * hs))
              : new CellState(fin, null);
        } else {
          CellState state = initial;
          Tensor[] perStep = new Tensor[t];
          split(gx, 0, t, perStep);
          Tensor[] steps = new Tensor[t];
          for (int s = 0; s < t; s++) {
            int at = dir == 0 ? s : t - 1 - s;
            Tensor g = ops.reshape(perStep[at], b, gates * hs); // (1, B, G·H) -> (B, G·H)
            CellState next = step(g, state, whh, bhh);
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
            steps[at] = ops.reshape(out, 1, b, hs); // (B, H) -> (1, B, H)
            state = next;
          }
          outputs.add(ops.concat(Arrays.asList(steps), 0)); // T × (1, B, H) -> (T, B, H)
          last = state;
        }
        finalH.add(ops.reshape(last.h(), 1, b, hs));
        if (last.c() != null) {
          finalC.add(ops.reshape(last.c(), 1, b, hs));
        }
      }
      layerIn = d == 1 ? outputs.get(0) : ops.concat(outputs, 2); // (T, B, D·H)
    }
    Tensor output = config.batchFirst() ? ops.transpose(layerIn, 0, 1) : layerIn; // (B, T, D·H)
    Tensor hN = stack == 1 ? finalH.get(0) : ops.concat(finalH, 0);
    Tensor cN = finalC.isEmpty() ? null : stack == 1 ? finalC.get(0) : ops.concat(finalC, 0);
    return new RecurrentOutput(output, hN, cN);
  }

  /**
   * Cuts {@code x} (n, B, ·), covering steps [from, from + n), into its n single steps along axis
   * 0, halving recursively. The backward of a slice is a tensor of the sliced tensor's full size, so
   * T slices of the whole would cost O(T²) in the backward; halving costs O(T log T).
   */
  private void split(Tensor x, int from, int n, Tensor[] out) {
    if (n == 1) {
      out[from] = x;
      return;
    }
    int half = n / 2;
    split(ops.slice(x, 0, 0, half), from, half, out);
    split(ops.slice(x, 0, half, n), from + half, n - half, out);
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
