/**
 * The RNN-versus-transformer study of issue 13 ({@code t4j compare rnn-transformer}): matched LSTM,
 * GRU and transformer language models measured for each row of the article's comparison table,
 * written as {@code report.md} with PNG plots.
 */
package io.github.transformers4j.training.study;
