/**
 * Plugin registration: {@link io.github.transformers4j.api.spi.BackendProvider} (with its
 * {@link io.github.transformers4j.api.spi.Probe} and
 * {@link io.github.transformers4j.api.spi.BackendOptions}) and the
 * {@link io.github.transformers4j.api.spi.NamedProvider} that every plugin kind shares. The kernel
 * contract itself, {@link io.github.transformers4j.api.ComputeBackend}, lives beside
 * {@link io.github.transformers4j.api.Tensor} because each names the other.
 */
package io.github.transformers4j.api.spi;
