/**
 * Recurrent layers: the Elman RNN (tanh or ReLU), the LSTM and the GRU, multi-layer,
 * bidirectional, with initial states and variable lengths in a right-padded batch. Parameter names
 * and gate orders are PyTorch's ({@code weight_ih_l0}, {@code bias_hh_l1_reverse}; LSTM i, f, g,
 * o; GRU r, z, n), so a {@code torch.nn.RNN/LSTM/GRU} state dict loads as it is. They compute
 * through {@code Ops}, so autograd reaches the input, the initial states and every weight.
 */
package io.github.transformers4j.models.rnn;
