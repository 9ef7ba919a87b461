/** Checkpoint formats: named tensors read from and written to files. */
package io.github.transformers4j.models.weights;
