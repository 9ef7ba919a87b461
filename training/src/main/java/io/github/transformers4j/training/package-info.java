/**
 * Objectives, optimizers, learning-rate schedules, data loading and the trainer.
 *
 * <p>Filled by the training issue. Gradients come from the api's autograd tape; the optimizers
 * update parameters through backend kernels so that tensors stay resident on their backend.
 */
package io.github.transformers4j.training;
