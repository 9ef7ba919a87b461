package io.github.transformers4j.api.spi;

/**
 * A plugin registered under a name: backends, and later attention variants, architectures,
 * tokenizers and objectives. Names are lower-case ASCII letters, digits, '-', '_' and '.', starting
 * with a letter.
 */
public interface NamedProvider {

  /** The registry name; stable, used on the command line and in configs. */
  String name();
}
