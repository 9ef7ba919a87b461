package io.github.transformers4j.api.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tokenizer type that loads from files, registered by name through {@link
 * java.util.ServiceLoader} (names such as {@code "hf-json"}, {@code "bert-wordpiece"}): models and
 * apps reach tokenizers through this SPI, never through the implementing module.
 */
public interface TokenizerProvider extends NamedProvider {

  /** One line saying what files this type reads. */
  String description();

  /**
   * Loads a tokenizer from {@code path} (a file, or a folder holding the type's files).
   *
   * @throws IOException naming the file and what is wrong with it
   */
  TextTokenizer load(Path path) throws IOException;
}
