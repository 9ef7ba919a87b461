/**
 * The {@code t4j} composition root: the top command {@link io.github.transformers4j.apps.T4j}, its
 * Guice wiring ({@link io.github.transformers4j.apps.T4jModule}, {@link
 * io.github.transformers4j.apps.GuiceFactory}) and the one-line error handling. Subcommands live in
 * {@code commands}, what they share in {@code cli}.
 */
package io.github.transformers4j.apps;
