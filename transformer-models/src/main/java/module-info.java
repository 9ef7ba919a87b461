/**
 * The transformer itself: layers (embeddings, positional encodings, attention, feed-forward,
 * normalization), the encoder, decoder and encoder-decoder families, generation and weight
 * formats. Layers compute through {@code io.github.transformers4j.api.Ops}, never through a
 * concrete backend.
 */
module io.github.transformers4j.models {
  requires transitive io.github.transformers4j.api;
  requires com.google.gson;

  // exports io.github.transformers4j.models once the issue that fills it lands (an empty package cannot be exported).
  exports io.github.transformers4j.models.weights;
}
