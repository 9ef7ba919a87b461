/**
 * The module machinery under every layer: named {@link
 * io.github.transformers4j.models.nn.Parameter}s, {@link
 * io.github.transformers4j.models.nn.AbstractModule} (an ordered registry of parameters and
 * children whose dotted names are the checkpoint names), seeded initialization and loading from
 * {@link io.github.transformers4j.models.weights.Weights} with name and shape checks.
 */
package io.github.transformers4j.models.nn;
