package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code t4j bench}: groups the benchmarks; running it without one is a usage error. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Benchmarks through the compute-backend SPI.",
    subcommands = {
      GemmBenchCommand.class,
      TrainBenchCommand.class,
      GenerateBenchCommand.class,
      ClipBenchCommand.class,
      RnnBenchCommand.class
    })
public final class BenchCommand {}
