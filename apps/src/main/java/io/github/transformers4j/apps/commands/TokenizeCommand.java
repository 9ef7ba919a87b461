package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.VersionProvider;
import io.github.transformers4j.tokenizers.Encoding;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code t4j tokenize}: encodes text from the arguments, or each line of stdin, with a tokenizer
 * loaded from a file, printing ids and tokens (and offsets with {@code --offsets}).
 */
@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Encode text with a tokenizer loaded from a file: tokenizer.json, vocab.txt (BERT),"
          + " encoder.json + vocab.bpe (GPT-2), a SentencePiece .model, CLIP's"
          + " bpe_simple_vocab_16e6.txt.gz, or a folder holding one.",
      "Text comes from the arguments (joined by spaces), else one text per line of stdin."
    })
public final class TokenizeCommand implements Callable<Integer> {
  @Option(names = {"-t", "--tokenizer"}, required = true, paramLabel = "FILE", description = "The tokenizer file or folder.")
  Path tokenizer;

  @Option(names = "--offsets", description = "Also print each token's character offsets [start, end) into the text.")
  boolean offsets;

  @Option(names = "--no-special", description = "Do not add the template's special tokens ([CLS], <|startoftext|>...).")
  boolean noSpecial;

  @Option(names = "--pair", paramLabel = "TEXT", description = "A second text, encoded as a pair with the first.")
  String pair;

  @Option(
      names = "--stream",
      description =
          "Encode all of stdin as one text in bounded memory (a line of hundreds of MB too),"
              + " printing only the ids, without special tokens, as they are computed.")
  boolean stream;

  @Parameters(paramLabel = "TEXT", arity = "0..*", description = "The text; stdin when absent.")
  List<String> text = new ArrayList<>();

  @Spec private CommandSpec spec;

  /** For Guice. */
  @Inject
  public TokenizeCommand() {}

  @Override
  public Integer call() throws Exception {
    Tokenizer t = TokenizerFiles.load(tokenizer);
    PrintWriter out = spec.commandLine().getOut();
    if (stream) {
      if (!text.isEmpty() || pair != null || offsets) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--stream reads stdin and prints ids only: drop TEXT, --pair and --offsets");
      }
      out.print("ids:");
      t.encodeStream(
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16),
          id -> out.print(" " + id));
      out.println();
      out.flush();
      return 0;
    }
    if (!text.isEmpty()) {
      print(out, t.encode(String.join(" ", text), pair, !noSpecial));
    } else {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        print(out, t.encode(line, pair, !noSpecial));
      }
    }
    out.flush();
    return 0;
  }

  private void print(PrintWriter out, Encoding e) {
    StringBuilder ids = new StringBuilder("ids:");
    StringBuilder toks = new StringBuilder("tokens:");
    StringBuilder offs = new StringBuilder("offsets:");
    for (int i = 0; i < e.size(); i++) {
      ids.append(' ').append(e.id(i));
      toks.append(' ').append(e.token(i));
      offs.append(' ').append(e.start(i)).append('-').append(e.end(i));
    }
    out.println(ids);
    out.println(toks);
    if (offsets) {
      out.println(offs);
    }
  }
}
