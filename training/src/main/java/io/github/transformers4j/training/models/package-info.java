/** Adapters that make the model families of {@code transformer-models} trainable. */
package io.github.transformers4j.training.models;
