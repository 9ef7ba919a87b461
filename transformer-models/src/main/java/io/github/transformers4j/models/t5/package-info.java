/**
 * T5 and mT5: the encoder-decoder with relative position buckets, RMS norms, no biases and (v1.1,
 * mT5) gated GELU feed-forward networks, under Hugging Face's names ({@code t5}, {@code mt5}).
 */
package io.github.transformers4j.models.t5;
