package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code t4j tokenizer}: groups the tokenizer tools; running it without one is a usage error. */
@Command(
    name = "tokenizer",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Tokenizer tools.",
    subcommands = {TrainTokenizerCommand.class})
public final class TokenizerCommand {}
