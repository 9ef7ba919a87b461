package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.RecurrentCell;
import io.github.transformers4j.api.Tensor;
import java.util.SplittableRandom;

/**
 * The GRU, {@code torch.nn.GRU}: gates in PyTorch's order r, z, n, with the reset gate applied to
 * the hidden projection including its bias, {@code n = tanh(x_n + r·(h·W_hnᵀ + b_hn))}, and
 * {@code h' = (1 − z)·n + z·h}.
 */
public final class Gru extends RecurrentLayer {

  /** A GRU stack with PyTorch's initialization drawn from {@code rng}. */
  public Gru(Ops ops, RecurrentConfig config, SplittableRandom rng) {
    super(ops, config, 3, rng);
  }

  @Override
  protected RecurrentCell cell() {
    return RecurrentCell.GRU;
  }

  @Override
  protected String kind() {
    return "GRU";
  }

  @Override
  protected CellState step(Tensor gx, CellState state, Tensor whh, Tensor bhh) {
    // One fused kernel: gates, nonlinearities and the new state (B, H).
    return new CellState(ops.recurrentStep(RecurrentCell.GRU, gx, state.h(), null, whh, bhh), null);
  }
}
