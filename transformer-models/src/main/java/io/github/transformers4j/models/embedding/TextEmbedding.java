package io.github.transformers4j.models.embedding;

import java.util.List;

/**
 * A loaded model that turns texts into vectors of a fixed width.
 *
 * <p>Thread safety: {@link #embed} runs the model's forward pass and must not be called by two
 * threads at once (a server puts one micro-batcher thread in front of it); {@link #countTokens},
 * {@link #dimensions} and {@link #maxTokens} may be called from any thread at any time.
 */
public interface TextEmbedding {

  /** The folder's {@code model_type} ({@code bert}, {@code clip}, ...). */
  String modelType();

  /** The width of every vector. */
  int dimensions();

  /** The most tokens one text may have, the model's special tokens included. */
  int maxTokens();

  /**
   * How many tokens the model sees for {@code text}, special tokens included and padding
   * excluded; never throws for a long text (compare with {@link #maxTokens()}).
   */
  int countTokens(String text);

  /**
   * One vector per text, in order.
   *
   * @throws IllegalArgumentException for a text longer than {@link #maxTokens()}, naming it
   */
  float[][] embed(List<String> texts);
}
