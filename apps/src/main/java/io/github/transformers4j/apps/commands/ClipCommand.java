package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.VersionProvider;
import io.github.transformers4j.apps.commands.clip.ClipEmbedCommand;
import io.github.transformers4j.apps.commands.clip.ClipEvalCommand;
import io.github.transformers4j.apps.commands.clip.ClipSynthCommand;
import io.github.transformers4j.apps.commands.clip.ClipTrainCommand;
import io.github.transformers4j.apps.commands.clip.ClipZeroShotCommand;
import picocli.CommandLine.Command;

/** {@code t4j clip}: groups the CLIP commands; running it without one is a usage error. */
@Command(
    name = "clip",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "CLIP text-image models: synthetic data, training, evaluation, embeddings.",
    subcommands = {
      ClipSynthCommand.class,
      ClipTrainCommand.class,
      ClipEvalCommand.class,
      ClipEmbedCommand.class,
      ClipZeroShotCommand.class
    })
public final class ClipCommand {}
