package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
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
  protected String kind() {
    return "GRU";
  }

  @Override
  protected CellState step(Tensor gx, CellState state, Tensor whh, Tensor bhh) {
    int h = config().hiddenSize();
    Tensor gh = ops.linear(state.h(), whh, true, bhh); // (B, 3H)
    Tensor r = ops.sigmoid(ops.add(ops.slice(gx, 1, 0, h), ops.slice(gh, 1, 0, h)));
    Tensor z = ops.sigmoid(ops.add(ops.slice(gx, 1, h, 2 * h), ops.slice(gh, 1, h, 2 * h)));
    Tensor n = ops.tanh(ops.add(ops.slice(gx, 1, 2 * h, 3 * h), ops.mul(r, ops.slice(gh, 1, 2 * h, 3 * h))));
    // (1 − z)·n + z·h = n + z·(h − n)
    return new CellState(ops.add(n, ops.mul(z, ops.sub(state.h(), n))), null);
  }
}
