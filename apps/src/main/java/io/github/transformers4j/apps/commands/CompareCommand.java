package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code t4j compare}: groups the comparative studies; running it without one is a usage error. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Comparative studies measured on this machine.",
    subcommands = {CompareRnnTransformerCommand.class})
public final class CompareCommand {}
