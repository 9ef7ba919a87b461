package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Tensor;

/**
 * The state one direction of one layer carries from step to step.
 *
 * @param h hidden state (B, H)
 * @param c the LSTM's cell state (B, H); {@code null} for the RNN and GRU
 */
public record CellState(Tensor h, Tensor c) {}
