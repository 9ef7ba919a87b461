/**
 * Benchmarks that run through the compute-backend SPI, free of Picocli and Guice so they can be
 * called from tests and other tools.
 */
package io.github.transformers4j.apps.bench;
