package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.RecurrentCell;
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
  protected RecurrentCell cell() {
    return RecurrentCell.LSTM;
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
    // One fused kernel: gates, nonlinearities and the new state, [h', c'] (B, 2H).
    Tensor next = ops.recurrentStep(RecurrentCell.LSTM, gx, state.h(), state.c(), whh, bhh);
    return new CellState(ops.slice(next, 1, 0, h), ops.slice(next, 1, h, 2 * h));
  }
}
