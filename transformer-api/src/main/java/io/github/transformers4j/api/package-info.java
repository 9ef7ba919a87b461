/** Tensors, shapes, data types and the shape-checking {@code Ops} facade. */
package io.github.transformers4j.api;
