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
      TrainCommand.Seq2Seq.class,
      TrainCommand.Classify.class
    })
public final class TrainCommand {

  static Integer notYet(String what, String family) {
    throw new IllegalStateException(
        "t4j train "
            + what
            + " needs the "
            + family
            + " family, which transformer-models does not"
            + " provide yet; the objective itself exists (io.github.transformers4j.training."
            + "objectives) and trains any model adapted to it from Java");
  }

  /** {@code t4j train mlm}: waits for the encoder family of transformer-models. */
  @Command(
      name = "mlm",
      mixinStandardHelpOptions = true,
      description = "Masked LM (BERT-style encoder).")
  public static final class Mlm implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
      return notYet("mlm", "encoder (BERT)");
    }
  }

  /** {@code t4j train seq2seq}: waits for the encoder-decoder family of transformer-models. */
  @Command(
      name = "seq2seq",
      mixinStandardHelpOptions = true,
      description = "Sequence-to-sequence (encoder-decoder).")
  public static final class Seq2Seq implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
      return notYet("seq2seq", "encoder-decoder");
    }
  }

  /** {@code t4j train classify}: waits for the encoder family of transformer-models. */
  @Command(
      name = "classify",
      mixinStandardHelpOptions = true,
      description = "Sequence classification (encoder).")
  public static final class Classify implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
      return notYet("classify", "encoder (BERT)");
    }
  }
}
