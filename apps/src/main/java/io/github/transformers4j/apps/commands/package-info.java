/** The subcommands of {@code t4j}; each is created by Guice and receives its services injected. */
package io.github.transformers4j.apps.commands;
