package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code t4j train}: groups the training objectives; running it without one is a usage error. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train a model from scratch in Java.",
    subcommands = {
      TrainClmCommand.class,
      TrainBertCommands.Mlm.class,
      TrainSeq2SeqCommand.class,
      TrainBertCommands.Classify.class
    })
public final class TrainCommand {}
