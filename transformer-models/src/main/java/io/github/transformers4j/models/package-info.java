/**
 * Transformer layers and model families built over the {@code Ops} facade of the api.
 *
 * <p>Filled by the models issue: token embeddings, sinusoidal / learned / rotary positional
 * encodings, scaled dot-product and multi-head attention, feed-forward networks, layer norm in
 * the post-LN and pre-LN arrangements, encoder and decoder stacks, generation and safetensors.
 */
package io.github.transformers4j.models;
