package io.github.transformers4j.training.data;

import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TokenizerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Tokenizers for the training recipes: a char vocabulary written by {@link CharTokenizer#save}, or
 * any file the installed tokenizer types read ({@code tokenizer.json}, {@code vocab.txt}, ...,
 * through the {@code auto} {@link TokenizerProvider} of the tokenizers module), adapted to {@link
 * TextTokenizer} with its special tokens found by their usual names.
 */
public final class TokenizerFiles {
  private TokenizerFiles() {}

  /**
   * Loads {@code file}: a char vocabulary, else whatever the installed {@code auto} tokenizer type
   * reads.
   *
   * @param bare drop the special tokens the tokenizer's template puts at the start and end (for
   *     seq2seq targets, which get their own end token)
   * @throws IOException naming the file when no installed type reads it
   */
  public static TextTokenizer load(Path file, boolean bare) throws IOException {
    if (!Files.exists(file)) {
      throw new IOException(file + ": no such tokenizer file");
    }
    if (CharTokenizer.isCharVocabulary(file)) {
      return CharTokenizer.load(file);
    }
    if (!Tokenizers.installed().contains("auto")) {
      throw new IOException(
          file
              + ": not a char vocabulary, and no tokenizer types are installed (the tokenizers"
              + " module is not on the module path)");
    }
    try {
      return adapt(Tokenizers.installed().forName("auto").load(file), bare);
    } catch (IOException | IllegalArgumentException e) {
      String m = e.getMessage() == null ? "" : e.getMessage();
      // The readers name the file already; say what a tokenizer file is.
      throw new IOException(
          (m.contains(file.toString()) ? m : file + ": " + m)
              + " (not a tokenizer file this library reads: expected a tokenizer.json, a vocab.txt"
              + " of one token per line, a SentencePiece .model, or a char vocabulary of t4j)",
          e);
    }
  }

  /** {@code tok} as a {@link TextTokenizer}; specials by the names BERT, BART and T5 use. */
  public static TextTokenizer adapt(
      io.github.transformers4j.api.spi.TextTokenizer tok, boolean bare) {
    SpecialTokens sp =
        new SpecialTokens(
            first(tok, "[PAD]", "<pad>"),
            first(tok, "[CLS]", "<s>", "[BOS]", "<bos>"),
            first(tok, "[SEP]", "</s>", "[EOS]", "<eos>"),
            first(tok, "[MASK]", "<mask>"),
            first(tok, "[UNK]", "<unk>"));
    return new TextTokenizer() {
      @Override
      public int[] encode(String text) {
        int[] ids = tok.encodeIds(text);
        if (!bare) {
          return ids;
        }
        int from = ids.length > 0 && ids[0] == sp.bos() ? 1 : 0;
        int to = ids.length > from && ids[ids.length - 1] == sp.eos() ? ids.length - 1 : ids.length;
        return Arrays.copyOfRange(ids, from, to);
      }

      @Override
      public String decode(int[] ids) {
        return tok.decodeIds(ids, true);
      }

      @Override
      public int vocabSize() {
        return tok.vocabularySize();
      }

      @Override
      public SpecialTokens specials() {
        return sp;
      }
    };
  }

  private static int first(io.github.transformers4j.api.spi.TextTokenizer tok, String... names) {
    for (String n : names) {
      int id = tok.tokenId(n);
      if (id >= 0) {
        return id;
      }
    }
    return -1;
  }
}
