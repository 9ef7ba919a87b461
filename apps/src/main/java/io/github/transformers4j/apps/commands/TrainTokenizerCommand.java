package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.VersionProvider;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import io.github.transformers4j.tokenizers.Normalizer;
import io.github.transformers4j.tokenizers.normalizers.BertNormalizer;
import io.github.transformers4j.tokenizers.normalizers.Lowercase;
import io.github.transformers4j.tokenizers.normalizers.NormalizerSequence;
import io.github.transformers4j.tokenizers.normalizers.UnicodeNormalizer;
import io.github.transformers4j.tokenizers.trainers.BpeTrainer;
import io.github.transformers4j.tokenizers.trainers.Progress;
import io.github.transformers4j.tokenizers.trainers.UnigramTrainer;
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
 * {@code t4j tokenizer train}: trains a BPE, WordPiece or Unigram vocabulary on text files and saves
 * it as {@code tokenizer.json}, with progress lines (rate and ETA) on stderr.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train a BPE, WordPiece or Unigram (SentencePiece) tokenizer on UTF-8 text files; save it as tokenizer.json.")
public final class TrainTokenizerCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "bpe", description = "bpe, wordpiece or unigram (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--vocab-size", defaultValue = "8000", converter = io.github.transformers4j.apps.cli.PositiveInt.class, description = "Vocabulary size, specials and alphabet included (default: ${DEFAULT-VALUE}).")
  int vocabSize;

  @Option(names = "--min-frequency", defaultValue = "2", converter = io.github.transformers4j.apps.cli.PositiveInt.class, description = "Least count of a pair to merge, or for unigram of a seed substring (default: ${DEFAULT-VALUE}).")
  int minFrequency;

  @Option(names = "--special", split = ",", paramLabel = "TOKEN", description = "Special tokens, first ids (default: <|endoftext|> for bpe, [PAD],[UNK],[CLS],[SEP],[MASK] for wordpiece, <unk>,<s>,</s> for unigram).")
  List<String> specials;

  @Option(names = "--pre-tokenizer", description = "byte-level, bert, standard, whitespace, korean (Nori), cjk-bigram; metaspace for unigram (default: byte-level for bpe, bert for wordpiece, metaspace for unigram).")
  String preTokenizer;

  @Option(names = "--lowercase", description = "Lowercase first (bpe and wordpiece: BERT uncased normalization, accents stripped; unigram: after NFKC).")
  boolean lowercase;

  @Option(names = "--unk-token", paramLabel = "TOKEN", description = "unigram: the unknown token, id 0 unless among --special (default: <unk>).")
  String unkToken;

  @Option(names = "--max-piece-length", paramLabel = "N", description = "unigram: the longest piece in chars (default: 16).")
  Integer maxPieceLength;

  @Option(names = "--shrinking-factor", paramLabel = "F", description = "unigram: the share of pieces each pruning round keeps, in (0, 1) (default: 0.75).")
  Double shrinkingFactor;

  @Option(names = "--sub-iterations", paramLabel = "N", description = "unigram: EM steps between prunings (default: 2).")
  Integer subIterations;

  @Option(names = "--seed-size", paramLabel = "N", description = "unigram: the most pieces to start from (default: 1000000).")
  Integer seedSize;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write tokenizer.json (atomically: a temporary file beside it, renamed when complete); an existing file needs --overwrite.")
  Path output;

  @Option(names = "--overwrite", description = "Replace the file --output names, once the new tokenizer is complete.")
  boolean overwrite;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "UTF-8 text files to train on.")
  List<Path> files = new ArrayList<>();

  @Spec private CommandSpec spec;

  /** For Guice. */
  @Inject
  public TrainTokenizerCommand() {}

  @Override
  public Integer call() throws Exception {
    if (!List.of("bpe", "wordpiece", "unigram").contains(model)) {
      throw new IllegalArgumentException("unknown --model '" + model + "' (expected bpe, wordpiece or unigram)");
    }
    for (Path f : files) {
      if (!Files.exists(f)) {
        throw new IllegalArgumentException(f + ": no such file");
      }
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException(f + " is not a file; give the text files to train on");
      }
      if (Files.size(f) == 0) {
        throw new IllegalArgumentException(f + " is empty; give UTF-8 text files to train on");
      }
    }
    // The protocol of every writing command (io.github.transformers4j.training.OutputFolder).
    io.github.transformers4j.training.OutputFolder.checkFile(output, overwrite);
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
    Tokenizer t;
    String pre;
    if (model.equals("unigram")) {
      UnigramTrainer.Config config;
      try {
        config = unigramConfig();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(withFlags(e.getMessage()), e);
      }
      pre = config.preTokenizer();
      t = new UnigramTrainer(config, Progress.lines(progress)).train(files);
    } else {
      rejectUnigramOptions();
      boolean wordPiece = model.equals("wordpiece");
      List<String> sp = specials != null ? specials
          : wordPiece ? List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]") : List.of("<|endoftext|>");
      pre = preTokenizer != null ? preTokenizer : wordPiece ? "bert" : "byte-level";
      BpeTrainer.Config config;
      try {
        config = new BpeTrainer.Config(
            vocabSize, minFrequency, sp, pre, wordPiece,
            lowercase || wordPiece ? new BertNormalizer(true, true, null, lowercase) : null);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(withFlags(e.getMessage()), e);
      }
      t = new BpeTrainer(config, Progress.lines(progress)).train(files);
    }
    HfTokenizerJson.save(t, output);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("saved %s: %d tokens (%s, pre-tokenizer %s)%n", output, t.vocabularySize(), model, pre);
    if (t.vocabularySize() < vocabSize) {
      out.printf(
          "note: %d tokens asked; the corpus offers no more (%s)%n",
          vocabSize,
          model.equals("unigram")
              ? "its chars and the substrings seen at least " + minFrequency + " times that EM kept"
              : "no pair left seen at least " + minFrequency + " times");
    }
    out.flush();
    return 0;
  }

  /** The unigram settings: Hugging Face's defaults, NFKC (SentencePiece's) normalization. */
  private UnigramTrainer.Config unigramConfig() {
    Normalizer nfkc = new UnicodeNormalizer(java.text.Normalizer.Form.NFKC);
    return new UnigramTrainer.Config(
        vocabSize,
        specials != null ? specials : List.of("<unk>", "<s>", "</s>"),
        unkToken != null ? unkToken : "<unk>",
        preTokenizer != null ? preTokenizer : "metaspace",
        lowercase ? new NormalizerSequence(List.of(nfkc, new Lowercase())) : nfkc,
        minFrequency,
        maxPieceLength != null ? maxPieceLength : 16,
        seedSize != null ? seedSize : 1_000_000,
        shrinkingFactor != null ? shrinkingFactor : 0.75,
        subIterations != null ? subIterations : 2);
  }

  // The trainers' configurations name their Java fields; on the command line, name the options.
  private static final java.util.Map<String, String> FLAGS =
      java.util.Map.of(
          "vocabSize", "--vocab-size",
          "minFrequency", "--min-frequency",
          "specialTokens", "--special",
          "preTokenizer", "--pre-tokenizer",
          "unkToken", "--unk-token",
          "maxPieceLength", "--max-piece-length",
          "shrinkingFactor", "--shrinking-factor",
          "subIterations", "--sub-iterations",
          "seedSize", "--seed-size");

  static String withFlags(String message) {
    String m = message == null ? "" : message;
    for (java.util.Map.Entry<String, String> e : FLAGS.entrySet()) {
      m = m.replaceAll("\\b" + e.getKey() + "\\b", e.getValue());
    }
    return m;
  }

  /** The unigram options mean nothing to bpe and wordpiece: say so rather than ignore them. */
  private void rejectUnigramOptions() {
    List<String> given = new ArrayList<>();
    if (unkToken != null) {
      given.add("--unk-token");
    }
    if (maxPieceLength != null) {
      given.add("--max-piece-length");
    }
    if (shrinkingFactor != null) {
      given.add("--shrinking-factor");
    }
    if (subIterations != null) {
      given.add("--sub-iterations");
    }
    if (seedSize != null) {
      given.add("--seed-size");
    }
    if (!given.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", given) + ": only for --model unigram, not " + model);
    }
  }
}
