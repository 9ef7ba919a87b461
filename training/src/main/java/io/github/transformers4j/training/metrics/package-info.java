/** Metrics (JSON Lines), the loss-curve PNG and the progress bar. */
package io.github.transformers4j.training.metrics;
