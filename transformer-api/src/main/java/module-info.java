/**
 * The contracts of Transformers4J: {@code Shape}, {@code DType}, {@code Tensor}, the compute-backend
 * SPI, the shape-checking {@code Ops} facade with its autograd tape, the module / layer / model
 * contracts with their attention, layer and architecture SPIs, and the named-plugin registry.
 * Depends on {@code java.base} only.
 */
module io.github.transformers4j.api {
  exports io.github.transformers4j.api;
  exports io.github.transformers4j.api.spi;
  exports io.github.transformers4j.api.registry;
  exports io.github.transformers4j.api.reference;
  exports io.github.transformers4j.api.io;
  exports io.github.transformers4j.api.nn;

  uses io.github.transformers4j.api.spi.BackendProvider;
  uses io.github.transformers4j.api.spi.TokenizerProvider;
  uses io.github.transformers4j.api.spi.AttentionProvider;
  uses io.github.transformers4j.api.spi.LayerProvider;
  uses io.github.transformers4j.api.spi.ArchitectureProvider;

  provides io.github.transformers4j.api.spi.BackendProvider with
      io.github.transformers4j.api.reference.ReferenceBackendProvider;
}
