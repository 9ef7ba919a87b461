/** Checkpoints: model and optimizer tensors as safetensors plus a JSON training state. */
package io.github.transformers4j.training.checkpoint;
