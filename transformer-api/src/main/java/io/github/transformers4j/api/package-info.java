/**
 * Tensors and the kernels that compute on them: {@link io.github.transformers4j.api.Shape},
 * {@link io.github.transformers4j.api.DType}, {@link io.github.transformers4j.api.Tensor}, the
 * kernel SPI {@link io.github.transformers4j.api.ComputeBackend} with its operation enums and
 * {@link io.github.transformers4j.api.ShapeRules}, and the shape-checking
 * {@link io.github.transformers4j.api.Ops} facade with its autograd
 * {@link io.github.transformers4j.api.Tape}.
 */
package io.github.transformers4j.api;
