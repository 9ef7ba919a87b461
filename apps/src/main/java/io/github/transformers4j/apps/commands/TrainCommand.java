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
      TrainCommand.Mlm.class,
      TrainSeq2SeqCommand.class,
      TrainCommand.Classify.class
    })
public final class TrainCommand {

  static Integer notYet(String what, String why) {
    throw new IllegalStateException(
        "t4j train "
            + what
            + " is not available from the command line yet: "
            + why
            + "; from Java, Trainer with the objective works today (see docs/architecture.md,"
            + " Training)");
  }

  /** {@code t4j train mlm}: not wired to a BERT recipe yet. */
  @Command(
      name = "mlm",
      mixinStandardHelpOptions = true,
      description = "Masked LM (BERT-style encoder).")
  public static final class Mlm implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
      return notYet(
          "mlm",
          "no BERT recipe (tokenizer, config, data) is wired here; the BERT adapters are in"
              + " training.models.BertAdapters");
    }
  }

  /** {@code t4j train classify}: not wired to a BERT recipe yet. */
  @Command(
      name = "classify",
      mixinStandardHelpOptions = true,
      description = "Sequence classification (encoder).")
  public static final class Classify implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
      return notYet(
          "classify",
          "no BERT recipe (tokenizer, labels, config) is wired here; the BERT adapters are in"
              + " training.models.BertAdapters");
    }
  }
}
