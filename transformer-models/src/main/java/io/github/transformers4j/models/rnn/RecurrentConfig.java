package io.github.transformers4j.models.rnn;

/**
 * The shape of a recurrent layer stack, as {@code torch.nn.RNN/LSTM/GRU}'s constructor arguments.
 *
 * @param inputSize width of each input step, I
 * @param hiddenSize width of the hidden state, H
 * @param numLayers stacked layers (1 or more); layer k &gt; 0 reads layer k−1's output
 * @param bias whether each layer has {@code bias_ih} and {@code bias_hh} (PyTorch default true)
 * @param batchFirst input and output (B, T, ·) when true, (T, B, ·) when false
 * @param dropout dropout on each layer's output except the last, in training only, in [0, 1)
 * @param bidirectional a second direction per layer reading the sequence backwards; outputs
 *     are the two directions' states side by side (·, 2H)
 */
public record RecurrentConfig(
    int inputSize,
    int hiddenSize,
    int numLayers,
    boolean bias,
    boolean batchFirst,
    float dropout,
    boolean bidirectional) {

  /** Validates every field, naming it. */
  public RecurrentConfig {
    if (inputSize <= 0) {
      throw new IllegalArgumentException("recurrent layer: input_size must be positive, got " + inputSize);
    }
    if (hiddenSize <= 0) {
      throw new IllegalArgumentException("recurrent layer: hidden_size must be positive, got " + hiddenSize);
    }
    if (numLayers <= 0) {
      throw new IllegalArgumentException("recurrent layer: num_layers must be at least 1, got " + numLayers);
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("recurrent layer: dropout must be in [0, 1), got " + dropout);
    }
  }

  /** One unidirectional batch-first layer with biases and no dropout. */
  public static RecurrentConfig of(int inputSize, int hiddenSize) {
    return new RecurrentConfig(inputSize, hiddenSize, 1, true, true, 0f, false);
  }

  /** This config with {@code n} stacked layers. */
  public RecurrentConfig withLayers(int n) {
    return new RecurrentConfig(inputSize, hiddenSize, n, bias, batchFirst, dropout, bidirectional);
  }

  /** This config with both directions. */
  public RecurrentConfig withBidirectional(boolean on) {
    return new RecurrentConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, on);
  }

  /** This config with (B, T, ·) tensors when {@code on}, (T, B, ·) otherwise. */
  public RecurrentConfig withBatchFirst(boolean on) {
    return new RecurrentConfig(inputSize, hiddenSize, numLayers, bias, on, dropout, bidirectional);
  }

  /** This config with dropout {@code p} between layers. */
  public RecurrentConfig withDropout(float p) {
    return new RecurrentConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, p, bidirectional);
  }

  /** This config with or without the bias vectors. */
  public RecurrentConfig withBias(boolean on) {
    return new RecurrentConfig(inputSize, hiddenSize, numLayers, on, batchFirst, dropout, bidirectional);
  }

  /** Directions per layer: 2 when bidirectional, else 1. */
  public int directions() {
    return bidirectional ? 2 : 1;
  }
}
