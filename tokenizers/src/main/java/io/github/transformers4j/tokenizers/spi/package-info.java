/** This module's tokenizer types, registered as {@code TokenizerProvider} services. */
package io.github.transformers4j.tokenizers.spi;
