package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.VersionProvider;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import io.github.transformers4j.tokenizers.normalizers.BertNormalizer;
import io.github.transformers4j.tokenizers.trainers.BpeTrainer;
import io.github.transformers4j.tokenizers.trainers.Progress;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code t4j tokenizer train}: trains a BPE or WordPiece vocabulary on text files and saves it as
 * {@code tokenizer.json}, with a progress line (rate and ETA) on stderr.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train a BPE or WordPiece tokenizer on UTF-8 text files; save it as tokenizer.json.")
public final class TrainTokenizerCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "bpe", description = "bpe or wordpiece (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--vocab-size", defaultValue = "8000", description = "Vocabulary size, specials and alphabet included (default: ${DEFAULT-VALUE}).")
  int vocabSize;

  @Option(names = "--min-frequency", defaultValue = "2", description = "Least count of a pair to merge (default: ${DEFAULT-VALUE}).")
  int minFrequency;

  @Option(names = "--special", split = ",", paramLabel = "TOKEN", description = "Special tokens, first ids (default: <|endoftext|> for bpe, [PAD],[UNK],[CLS],[SEP],[MASK] for wordpiece).")
  List<String> specials;

  @Option(names = "--pre-tokenizer", description = "byte-level, bert, standard, whitespace, korean (Nori), cjk-bigram (default: byte-level for bpe, bert for wordpiece).")
  String preTokenizer;

  @Option(names = "--lowercase", description = "Lowercase and strip accents first (BERT uncased normalization).")
  boolean lowercase;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write tokenizer.json (atomically).")
  Path output;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "UTF-8 text files to train on.")
  List<Path> files = new ArrayList<>();

  @Spec private CommandSpec spec;

  /** For Guice. */
  @Inject
  public TrainTokenizerCommand() {}

  @Override
  public Integer call() throws Exception {
    boolean wordPiece;
    switch (model) {
      case "bpe" -> wordPiece = false;
      case "wordpiece" -> wordPiece = true;
      default -> throw new IllegalArgumentException("unknown --model '" + model + "' (expected bpe or wordpiece)");
    }
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException(f + ": no such file");
      }
    }
    List<String> sp = specials != null ? specials
        : wordPiece ? List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]") : List.of("<|endoftext|>");
    String pre = preTokenizer != null ? preTokenizer : wordPiece ? "bert" : "byte-level";
    BpeTrainer.Config config = new BpeTrainer.Config(
        vocabSize, minFrequency, sp, pre, wordPiece,
        lowercase || wordPiece ? new BertNormalizer(true, true, null, lowercase) : null);
    PrintWriter err = spec.commandLine().getErr();
    java.io.PrintStream progress = new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        err.write(b);
        if (b == '\n') {
          err.flush();
        }
      }
    }, true, java.nio.charset.StandardCharsets.UTF_8);
    Tokenizer t = new BpeTrainer(config, Progress.lines(progress)).train(files);
    HfTokenizerJson.save(t, output);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("saved %s: %d tokens (%s, pre-tokenizer %s)%n", output, t.vocabularySize(), model, pre);
    out.flush();
    return 0;
  }
}
