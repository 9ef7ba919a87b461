/**
 * Hugging Face model folders ({@code config.json} plus safetensors weights, single or sharded)
 * loaded into the registered architectures by their {@code model_type}.
 */
package io.github.transformers4j.models.pretrained;
