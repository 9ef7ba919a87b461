/**
 * The standard transformer layers, one class per concept, computing through {@code Ops}: token
 * {@link io.github.transformers4j.models.layers.Embedding}s; positional encodings ({@link
 * io.github.transformers4j.models.layers.SinusoidalPositionalEncoding}, learned absolute positions
 * as an {@code Embedding}, {@link io.github.transformers4j.models.layers.RotaryEmbedding});
 * scaled dot-product attention ({@link io.github.transformers4j.models.layers.SdpaAttention} and
 * the composed {@link io.github.transformers4j.models.layers.EagerAttention}) behind multi-head
 * self- and cross-attention; the position-wise {@link
 * io.github.transformers4j.models.layers.FeedForward} network; {@link
 * io.github.transformers4j.models.layers.LayerNorm} and {@link
 * io.github.transformers4j.models.layers.RmsNorm}; {@link
 * io.github.transformers4j.models.layers.Dropout}.
 *
 * <p>Shapes use B (batch), T (sequence), C (model width), nh (heads), hs (head size, C / nh), V
 * (vocabulary).
 */
package io.github.transformers4j.models.layers;
