package io.github.transformers4j.langchain4j;

import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The checks and loads every model of this module does on its folder. */
final class Folders {
  private Folders() {}

  /**
   * @throws IllegalArgumentException naming {@code dir} and what it should hold when it is not a
   *     folder
   */
  static void requireDirectory(Path dir, String expected) {
    if (dir == null) {
      throw new IllegalArgumentException("no model folder given: expected " + expected);
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          dir + (Files.exists(dir) ? " is not a folder" : " does not exist") + ": expected "
              + expected);
    }
  }

  /**
   * The folder's tokenizer, as {@code t4j} reads it ({@code tokenizer.json}, else {@code
   * vocab.json} with {@code merges.txt}, {@code spiece.model} or {@code vocab.txt}).
   *
   * @throws IllegalArgumentException naming the folder when it has none this library reads
   */
  static TextTokenizer tokenizer(Path dir) {
    try {
      return Tokenizers.installed().forName("auto").load(dir);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          dir + " has no tokenizer this library reads: " + e.getMessage(), e);
    }
  }
}
