package io.github.transformers4j.api;

/**
 * The cell of a fused recurrent step ({@link ComputeBackend#recurrentStep}): how many gate blocks
 * of width H its projections hold, PyTorch's gate order, and whether it carries a cell state.
 */
public enum RecurrentCell {
  /** Elman RNN, {@code h' = tanh(gx + h·W_hhᵀ + b_hh)}. */
  RNN_TANH(1),
  /** Elman RNN, {@code h' = relu(gx + h·W_hhᵀ + b_hh)}. */
  RNN_RELU(1),
  /** LSTM, gates i, f, g, o: {@code c' = f·c + i·g}, {@code h' = o·tanh(c')}. */
  LSTM(4),
  /** GRU, gates r, z, n: {@code n = tanh(gx_n + r·(h·W_hnᵀ + b_hn))}, {@code h' = n + z·(h − n)}. */
  GRU(3);

  private final int gates;

  RecurrentCell(int gates) {
    this.gates = gates;
  }

  /** G, the number of gate blocks: the projections are (B, G·H) and W_hh is (G·H, H). */
  public int gates() {
    return gates;
  }

  /** Whether the cell carries a cell state {@code c} besides {@code h} (the LSTM). */
  public boolean hasCell() {
    return this == LSTM;
  }

  /**
   * Width of the saved gate activations, in blocks of H: LSTM i, f, g, o; GRU r, z, n and the
   * hidden projection of n; the RNN saves nothing (its derivative follows from {@code h'}).
   */
  public int savedBlocks() {
    return switch (this) {
      case RNN_TANH, RNN_RELU -> 0;
      case LSTM, GRU -> 4;
    };
  }
}
