/**
 * The CPU compute backend of Transformers4J: Vector API SIMD kernels, a packed and blocked SGEMM,
 * and a sized thread pool. Only {@code io.github.transformers4j.cpu} is exported; the kernel
 * packages ({@code exec}, {@code gemm}, {@code kernels}) are internal.
 */
module io.github.transformers4j.cpu {
  requires io.github.transformers4j.api;
  requires jdk.incubator.vector;

  exports io.github.transformers4j.cpu;

  provides io.github.transformers4j.api.spi.BackendProvider with
      io.github.transformers4j.cpu.CpuBackendProvider;
}
