package io.github.transformers4j.apps.commands;

import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the commands that read a model ({@code generate}, {@code eval}) need to know about {@code
 * --model} before loading it, with one wording for every mistake.
 */
final class ModelFolders {
  private ModelFolders() {}

  /**
   * What {@code model} holds; an error naming it when it is no model a command could read.
   *
   * @param accepts what the command reads, for the message ("a model of 't4j train clm' ...")
   */
  static OutputFolder.Contents inspect(Path model, String accepts) throws IOException {
    OutputFolder.Contents c = OutputFolder.inspect(model.toAbsolutePath());
    switch (c.kind()) {
      case OutputFolder.Contents.NONE ->
          throw new IllegalArgumentException(
              "--model "
                  + model
                  + (Files.exists(model) ? " is an empty folder" : ": no such folder")
                  + "; expected "
                  + accepts);
      case OutputFolder.Contents.FILE ->
          throw new IllegalArgumentException(
              "--model " + model + " is a file; expected a model folder: " + accepts);
      case OutputFolder.Contents.OTHER, OutputFolder.Contents.UNFINISHED ->
          throw new IllegalArgumentException(
              "--model " + model + " holds " + c.description() + "; expected " + accepts);
      default -> {
        if (!c.kind().equals(OutputFolder.Contents.HUGGING_FACE) && !c.checkpoint()) {
          throw new IllegalArgumentException(
              "--model "
                  + model
                  + " holds "
                  + c.description()
                  + "; train it to its first checkpoint before using it");
        }
        return c;
      }
    }
  }

  /** Refuses options the model kind has no use for, naming them and the kind. */
  static void reject(CommandSpec spec, String kindDescription, String why, String... options) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    List<String> given = java.util.Arrays.stream(options).filter(parsed::hasMatchedOption).toList();
    if (!given.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          String.join(", ", given)
              + (given.size() == 1 ? " does" : " do")
              + " not apply to "
              + kindDescription
              + " ("
              + why
              + ")");
    }
  }

  /**
   * Says on {@code err}, once, which characters of {@code text} a char vocabulary lacks and reads
   * as {@code [UNK]} (the rule for every model kind; a vocabulary without {@code [UNK]} fails
   * instead, naming the character, when the text is encoded).
   */
  static void noteUnknown(TextTokenizer tok, String text, PrintWriter err, String where) {
    if (tok instanceof CharTokenizer chars && chars.hasUnknown()) {
      List<String> unknown = chars.unknownIn(text);
      if (!unknown.isEmpty()) {
        err.println(
            "t4j: note: "
                + unknown.size()
                + " character"
                + (unknown.size() == 1 ? "" : "s")
                + " of "
                + where
                + " not in the model's vocabulary, read as [UNK]: "
                + String.join(", ", unknown.subList(0, Math.min(10, unknown.size())))
                + (unknown.size() > 10 ? ", ..." : ""));
        err.flush();
      }
    }
  }
}
