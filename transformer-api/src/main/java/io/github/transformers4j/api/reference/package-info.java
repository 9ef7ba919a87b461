/**
 * The naive scalar kernels ({@link io.github.transformers4j.api.reference.HostKernels}) that
 * define what every kernel computes, and the always-available {@code reference} backend built on
 * them.
 */
package io.github.transformers4j.api.reference;
