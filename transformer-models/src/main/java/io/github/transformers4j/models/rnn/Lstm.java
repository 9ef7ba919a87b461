package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import java.util.SplittableRandom;

/**
 * The LSTM, {@code torch.nn.LSTM} (no projection): gates in PyTorch's order i, f, g, o,
 * {@code c' = f·c + i·g}, {@code h' = o·tanh(c')}, with i, f, o sigmoids and g a tanh.
 */
public final class Lstm extends RecurrentLayer {

  /** An LSTM stack with PyTorch's initialization drawn from {@code rng}. */
  public Lstm(Ops ops, RecurrentConfig config, SplittableRandom rng) {
    super(ops, config, 4, rng);
  }

  @Override
  protected String kind() {
    return "LSTM";
  }

  @Override
  protected boolean hasCell() {
    return true;
  }

  @Override
  protected CellState step(Tensor gx, CellState state, Tensor whh, Tensor bhh) {
    int h = config().hiddenSize();
    Tensor gates = ops.add(gx, ops.linear(state.h(), whh, true, bhh)); // (B, 4H)
    Tensor i = ops.sigmoid(ops.slice(gates, 1, 0, h));
    Tensor f = ops.sigmoid(ops.slice(gates, 1, h, 2 * h));
    Tensor g = ops.tanh(ops.slice(gates, 1, 2 * h, 3 * h));
    Tensor o = ops.sigmoid(ops.slice(gates, 1, 3 * h, 4 * h));
    Tensor c = ops.add(ops.mul(f, state.c()), ops.mul(i, g));
    return new CellState(ops.mul(o, ops.tanh(c)), c);
  }
}
