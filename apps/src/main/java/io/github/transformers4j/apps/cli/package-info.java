/**
 * What every {@code t4j} command shares: the global options ({@link
 * io.github.transformers4j.apps.cli.BackendChoice}), the version, value converters and table
 * output. Depends on no command, so commands and the top command both build on it without a cycle.
 */
package io.github.transformers4j.apps.cli;
