/**
 * The CPU compute backend of Transformers4J: Vector API SIMD kernels, a packed and blocked SGEMM,
 * and a sized thread pool. Only {@code io.github.transformers4j.cpu} is exported; the kernel
 * packages ({@code exec}, {@code gemm}, {@code kernels}) are internal.
 */
module io.github.transformers4j.cpu {
  requires io.github.transformers4j.api;
  requires jdk.incubator.vector;
  // HotSpot's UseAVX tells how many vector registers the JIT allocates (exec.Machine).
  requires jdk.management;

  exports io.github.transformers4j.cpu;

  provides io.github.transformers4j.api.spi.BackendProvider with
      io.github.transformers4j.cpu.CpuBackendProvider;
}
