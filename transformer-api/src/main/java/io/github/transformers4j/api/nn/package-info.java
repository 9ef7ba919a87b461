/**
 * The contracts of trainable building blocks: a {@link io.github.transformers4j.api.nn.Module} owns
 * named parameters, a {@link io.github.transformers4j.api.nn.Layer} maps a tensor to a tensor, a
 * {@link io.github.transformers4j.api.nn.Model} is a whole architecture. Implementations live in
 * {@code transformer-models} and in plugins; they are found through the providers of {@code
 * api.spi}.
 */
package io.github.transformers4j.api.nn;
