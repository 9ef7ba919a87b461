package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.RecurrentCell;
import io.github.transformers4j.api.Tensor;
import java.util.SplittableRandom;

/**
 * The Elman RNN, {@code torch.nn.RNN}: {@code h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)} with act
 * tanh or ReLU.
 */
public final class Rnn extends RecurrentLayer {

  /** The state's nonlinearity ({@code nonlinearity} in PyTorch). */
  public enum Nonlinearity {
    TANH,
    RELU
  }

  private final Nonlinearity nonlinearity;

  /** An RNN stack with PyTorch's initialization drawn from {@code rng}. */
  public Rnn(Ops ops, RecurrentConfig config, Nonlinearity nonlinearity, SplittableRandom rng) {
    super(ops, config, 1, rng);
    if (nonlinearity == null) {
      throw new IllegalArgumentException("RNN nonlinearity: expected tanh or relu, got null");
    }
    this.nonlinearity = nonlinearity;
  }

  /** The nonlinearity. */
  public Nonlinearity nonlinearity() {
    return nonlinearity;
  }

  @Override
  protected RecurrentCell cell() {
    return nonlinearity == Nonlinearity.TANH ? RecurrentCell.RNN_TANH : RecurrentCell.RNN_RELU;
  }

  @Override
  protected String kind() {
    return "RNN";
  }

  @Override
  protected CellState step(Tensor gx, CellState state, Tensor whh, Tensor bhh) {
    RecurrentCell cell =
        nonlinearity == Nonlinearity.TANH ? RecurrentCell.RNN_TANH : RecurrentCell.RNN_RELU;
    // One fused kernel: h' = act(gx + h·W_hhᵀ + b_hh), (B, H).
    return new CellState(ops.recurrentStep(cell, gx, state.h(), null, whh, bhh), null);
  }
}
