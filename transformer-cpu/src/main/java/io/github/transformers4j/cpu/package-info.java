/**
 * The CPU compute backend: {@link io.github.transformers4j.cpu.CpuBackendProvider} registers it as
 * {@code cpu}; {@link io.github.transformers4j.cpu.CpuBackend} implements the kernel SPI with
 * Vector API SIMD loops, a packed SGEMM and a fused attention kernel.
 */
package io.github.transformers4j.cpu;
