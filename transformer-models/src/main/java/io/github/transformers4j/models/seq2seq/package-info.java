/**
 * The encoder-decoder family: the original Transformer (Vaswani et al. 2017) and the BART-like
 * arrangement. The encoder is bidirectional self-attention; each decoder block has masked
 * self-attention, cross-attention over the encoder output and a feed-forward network; an LM head
 * tied to the shared embedding. Checkpoint names follow BART ({@code shared}, {@code
 * encoder.layers.N.self_attn.q_proj}, {@code decoder.layers.N.encoder_attn}, ...). The same model
 * loads Hugging Face's {@code bart}, {@code pegasus} and {@code marian} folders (see {@link
 * io.github.transformers4j.models.seq2seq.EncoderDecoderConfig.Layout}).
 */
package io.github.transformers4j.models.seq2seq;
