/** The {@code t4j clip} subcommands: thin shells over {@code io.github.transformers4j.clip}. */
package io.github.transformers4j.apps.commands.clip;
