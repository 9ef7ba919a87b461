package io.github.transformers4j.apps.commands;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The input every task command ({@code fill-mask}, {@code classify}, {@code ner}, {@code
 * summarize}, {@code translate}) takes: the model folder and the texts, as arguments or as the
 * lines of standard input.
 */
public final class TaskInput {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model folder.")
  Path model;

  @Parameters(paramLabel = "TEXT", description = "Texts; standard input lines if none.")
  List<String> texts = new ArrayList<>();

  /** The texts: the arguments, else the lines of standard input. */
  List<String> texts() throws IOException {
    if (!texts.isEmpty()) {
      return texts;
    }
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    for (String line; (line = r.readLine()) != null; ) {
      lines.add(line);
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("no text: give TEXT arguments or lines on standard input");
    }
    return lines;
  }
}
