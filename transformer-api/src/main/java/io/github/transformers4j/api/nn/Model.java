package io.github.transformers4j.api.nn;

/**
 * A whole architecture (an encoder, a decoder, an encoder-decoder) built by an {@link
 * io.github.transformers4j.api.spi.ArchitectureProvider} from a configuration. What it computes
 * depends on the family; callers use the family's type from the implementing module.
 */
public interface Model extends Module {

  /** The registry name of the architecture that built this model ({@code gpt2}, {@code bert}). */
  String architecture();

  /** Switches dropout on ({@code true}, with the given seed) or off (evaluation, the default). */
  void train(boolean on, long seed);
}
