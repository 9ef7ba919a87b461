package io.github.transformers4j.cpu;

import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.Probe;
import java.util.Set;

/**
 * Registers the CPU backend as {@code cpu} (priority 100). It runs wherever the incubating Vector
 * API module {@code jdk.incubator.vector} is readable. Options: {@code threads} (default: the
 * available processors) and {@code prepack} ({@code true} by default: keep a packed copy of each
 * linear layer's weight from its second use on; {@code false} saves that memory) and {@code
 * track_memory} ({@code false} by default: count live tensor bytes, see {@code
 * ComputeBackend.memory()}).
 */
public final class CpuBackendProvider implements BackendProvider {
  /** Option key: number of threads kernels may use, the caller included. */
  public static final String THREADS = "threads";

  /** Option key: whether linear layers keep their weights packed for the GEMM (true/false). */
  public static final String PREPACK = "prepack";

  /**
   * Option key: whether the backend counts its live tensor bytes and their peak ({@code
   * ComputeBackend.memory()}); {@code false} by default, since it costs a little per tensor.
   */
  public static final String TRACK_MEMORY = "track_memory";

  private static final String VECTOR_MODULE = "jdk.incubator.vector";

  /** Cheap: nothing is loaded or started until {@link #create}. */
  public CpuBackendProvider() {}

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Set<String> options() {
    return Set.of(THREADS, PREPACK, TRACK_MEMORY);
  }

  @Override
  public Probe probe() {
    // On the class path the module is in the boot layer only with --add-modules; on the module
    // path our module's own 'requires' resolves it.
    boolean present =
        ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()
            || getClass().getModule().getLayer() != null
                && getClass().getModule().getLayer().findModule(VECTOR_MODULE).isPresent();
    if (!present) {
      return Probe.unavailable(
          "module " + VECTOR_MODULE + " is not readable: pass --add-modules " + VECTOR_MODULE);
    }
    try {
      return Probe.available(
          "Vector API, " + VectorInfo.shape() + ", " + Runtime.getRuntime().availableProcessors()
              + " processors");
    } catch (LinkageError e) {
      return Probe.unavailable(
          "the Vector API failed to load (" + e + "): pass --add-modules " + VECTOR_MODULE);
    }
  }

  @Override
  public ComputeBackend create(BackendOptions options) {
    options.requireOnly(name(), options());
    int threads = options.getPositiveInt(THREADS, Runtime.getRuntime().availableProcessors());
    boolean prepack = options.getBoolean(PREPACK, true);
    boolean track = options.getBoolean(TRACK_MEMORY, false);
    Probe probe = probe();
    if (!probe.available()) {
      throw new IllegalStateException("backend 'cpu' cannot run here: " + probe.reason());
    }
    return new CpuBackend(threads, prepack, track);
  }

  // Separate class so that the probe's module check runs before any Vector API class is linked.
  private static final class VectorInfo {
    // e.g. "AVX2, 256-bit vectors, 16 vector registers, ...; SGEMM tile 6×16 (6×2 vectors), ...".
    static String shape() {
      return io.github.transformers4j.cpu.exec.Machine.describe()
          + "; "
          + io.github.transformers4j.cpu.gemm.Sgemm.TILING.describe();
    }
  }
}
