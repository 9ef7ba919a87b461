/**
 * Contrastive text-image models in the manner of CLIP.
 *
 * <p>Filled by the CLIP issue: patch embedding and the vision transformer, projection heads, the
 * learnable {@code logit_scale} clamped at ln 100, the symmetric cross-entropy over the batch's
 * similarity matrix, and zero-shot classification over prompt templates.
 */
package io.github.transformers4j.clip;
