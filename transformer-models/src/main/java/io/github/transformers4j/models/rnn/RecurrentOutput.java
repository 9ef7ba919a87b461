package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Tensor;

/**
 * What a recurrent layer stack returns, shaped as PyTorch returns it.
 *
 * @param output the last layer's states at every step: (B, T, D·H) batch-first, else (T, B, D·H);
 *     zero past a row's length
 * @param hN each layer's and direction's final state, (L·D, B, H), index {@code layer·D + dir}
 * @param cN the LSTM's final cell states, (L·D, B, H); {@code null} for the RNN and GRU
 */
public record RecurrentOutput(Tensor output, Tensor hN, Tensor cN) {}
