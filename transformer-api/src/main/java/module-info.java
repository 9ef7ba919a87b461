/**
 * The contracts of Transformers4J: {@code Shape}, {@code DType}, {@code Tensor}, the compute-backend
 * SPI, the shape-checking {@code Ops} facade with its autograd tape, and the named-plugin registry.
 * Depends on {@code java.base} only.
 */
module io.github.transformers4j.api {
  exports io.github.transformers4j.api;
  exports io.github.transformers4j.api.spi;
  exports io.github.transformers4j.api.registry;
  exports io.github.transformers4j.api.reference;

  uses io.github.transformers4j.api.spi.BackendProvider;
  uses io.github.transformers4j.api.spi.TokenizerProvider;

  provides io.github.transformers4j.api.spi.BackendProvider with
      io.github.transformers4j.api.reference.ReferenceBackendProvider;
}
