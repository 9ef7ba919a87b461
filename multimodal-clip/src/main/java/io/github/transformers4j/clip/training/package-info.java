/**
 * Training CLIP with the project's trainer: {@link io.github.transformers4j.clip.training.ClipTrainable}
 * (a {@code Trainable} over a {@code ClipModel}) and the {@code contrastive} objective, the symmetric
 * cross-entropy over a batch's image-text similarity matrix.
 */
package io.github.transformers4j.clip.training;
