package io.github.transformers4j.tokenizers.spi;

import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.api.spi.TokenizerProvider;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import io.github.transformers4j.tokenizers.formats.SentencePieceModel;
import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tokenizer types of this module as {@link TokenizerProvider}s, one subclass per name, so
 * {@code ServiceLoader} can instantiate each: {@code auto}, {@code hf-json}, {@code gpt2-bpe},
 * {@code bert-wordpiece}, {@code sentencepiece}, {@code clip-bpe}.
 */
public abstract class FileTokenizerProvider implements TokenizerProvider {
  private final String name;
  private final String description;

  FileTokenizerProvider(String name, String description) {
    this.name = name;
    this.description = description;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return description;
  }

  /** Any file type this module reads, detected from the file name. */
  public static final class Auto extends FileTokenizerProvider {
    /** For ServiceLoader. */
    public Auto() {
      super(
          "auto",
          "any of the types below, by file name; a model folder's by its files and configs"
              + " (RoBERTa/BART, OPT, T5/mT5, Pegasus too)");
    }

    @Override
    public TextTokenizer load(Path path) throws IOException {
      return TokenizerFiles.load(path);
    }
  }

  /** Hugging Face {@code tokenizer.json}. */
  public static final class HfJson extends FileTokenizerProvider {
    /** For ServiceLoader. */
    public HfJson() {
      super("hf-json", "Hugging Face tokenizer.json (BPE, WordPiece, Unigram)");
    }

    @Override
    public TextTokenizer load(Path path) throws IOException {
      return HfTokenizerJson.load(Files.isDirectory(path) ? path.resolve("tokenizer.json") : path);
    }
  }

  /** GPT-2's byte-level BPE files. */
  public static final class Gpt2 extends FileTokenizerProvider {
    /** For ServiceLoader. */
    public Gpt2() {
      super("gpt2-bpe", "GPT-2 byte-level BPE: encoder.json + vocab.bpe or vocab.json + merges.txt");
    }

    @Override
    public TextTokenizer load(Path path) throws IOException {
      if (Files.isDirectory(path)) {
        return Files.exists(path.resolve("encoder.json"))
            ? TokenizerFiles.gpt2(path.resolve("encoder.json"), path.resolve("vocab.bpe"))
            : TokenizerFiles.gpt2(path.resolve("vocab.json"), path.resolve("merges.txt"));
      }
      return TokenizerFiles.load(path);
    }
  }

  /** BERT's WordPiece {@code vocab.txt}. */
  public static final class Bert extends FileTokenizerProvider {
    /** For ServiceLoader. */
    public Bert() {
      super("bert-wordpiece", "BERT WordPiece vocab.txt (uncased when it has no capitals)");
    }

    @Override
    public TextTokenizer load(Path path) throws IOException {
      return TokenizerFiles.bert(Files.isDirectory(path) ? path.resolve("vocab.txt") : path);
    }
  }

  /** SentencePiece Unigram {@code .model}. */
  public static final class SentencePiece extends FileTokenizerProvider {
    /** For ServiceLoader. */
    public SentencePiece() {
      super("sentencepiece", "SentencePiece Unigram .model");
    }

    @Override
    public TextTokenizer load(Path path) throws IOException {
      return SentencePieceModel.load(path);
    }
  }

  /** CLIP's BPE merges. */
  public static final class Clip extends FileTokenizerProvider {
    /** For ServiceLoader. */
    public Clip() {
      super("clip-bpe", "CLIP bpe_simple_vocab_16e6.txt.gz");
    }

    @Override
    public TextTokenizer load(Path path) throws IOException {
      return TokenizerFiles.clip(
          Files.isDirectory(path) ? path.resolve("bpe_simple_vocab_16e6.txt.gz") : path);
    }
  }
}
