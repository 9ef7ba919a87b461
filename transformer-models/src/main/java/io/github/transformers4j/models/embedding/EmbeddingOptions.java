package io.github.transformers4j.models.embedding;

import io.github.transformers4j.models.nn.WeightPrecision;
import java.util.Objects;

/**
 * How a folder is loaded as a {@link TextEmbedding}.
 *
 * @param precision the weights' precision in memory
 * @param pooling how a family that pools token vectors pools them ({@code mean} or {@code cls}, as
 *     {@code t4j embed --pooling}); a family with a fixed pooling (CLIP pools at the end-of-text
 *     token) ignores it
 * @param normalize whether vectors are L2-normalized
 * @param batchSize the most texts per forward pass
 */
public record EmbeddingOptions(
    WeightPrecision precision, String pooling, boolean normalize, int batchSize) {

  /** fp32, mean pooling, normalized, 16 texts per pass: what {@code t4j embed} does by default. */
  public static final EmbeddingOptions DEFAULTS =
      new EmbeddingOptions(WeightPrecision.F32, "mean", true, 16);

  /**
   * Checked options.
   *
   * @throws IllegalArgumentException for a pooling other than {@code mean} or {@code cls}, or a
   *     batch size below 1
   */
  public EmbeddingOptions {
    Objects.requireNonNull(precision, "precision");
    if (!"mean".equals(pooling) && !"cls".equals(pooling)) {
      throw new IllegalArgumentException("pooling must be mean or cls, got '" + pooling + "'");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("the embedding batch size must be >= 1, got " + batchSize);
    }
  }
}
