package io.github.transformers4j.models.layers;

/**
 * Where a block normalizes relative to its residual connection.
 *
 * <ul>
 *   <li>{@link #POST}: {@code x = LN(x + Sublayer(x))}, the original Transformer and BERT;
 *   <li>{@link #PRE}: {@code x = x + Sublayer(LN(x))}, GPT-2 and most later models (a final LN after
 *       the last block), which trains stably without warm-up (Xiong et al. 2020).
 * </ul>
 */
public enum NormPlacement {
  /** Normalize after adding the residual. */
  POST,
  /** Normalize the sublayer's input; the residual path stays unnormalized. */
  PRE
}
