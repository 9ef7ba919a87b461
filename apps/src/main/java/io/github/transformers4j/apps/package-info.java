/**
 * The {@code t4j} command line: the top command {@link io.github.transformers4j.apps.T4j}, its
 * Guice wiring ({@link io.github.transformers4j.apps.T4jModule}, {@link
 * io.github.transformers4j.apps.GuiceFactory}) and the global options shared by every command.
 */
package io.github.transformers4j.apps;
