/** The training plugin interfaces: objectives by name. */
package io.github.transformers4j.training.spi;
