package io.github.transformers4j.gpu.aparapi;

import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.Probe;
import java.util.Set;

/**
 * Registers {@link AparapiBackend}, the OpenCL backend, as {@code aparapi} with priority 50 (below
 * the CPU backend's 100: on a machine without a discrete GPU the OpenCL device is usually PoCL on
 * the same cores, slower than the Vector API kernels).
 *
 * <p>Constructing the provider touches no OpenCL class; {@link #probe()} loads LWJGL's native
 * library and lists the OpenCL devices (no kernel is compiled), and never throws.
 *
 * <p>Option {@code device}: the index of the OpenCL device in platform order (default 0).
 */
public final class AparapiBackendProvider implements BackendProvider {
  /** The option naming the device index. */
  public static final String DEVICE = "device";

  @Override
  public String name() {
    return "aparapi";
  }

  @Override
  public int priority() {
    return 50;
  }

  @Override
  public Probe probe() {
    try {
      return OpenClDevices.probe();
    } catch (LinkageError | RuntimeException e) {
      // NoClassDefFoundError when LWJGL itself is missing from the path.
      return Probe.unavailable("LWJGL's OpenCL bindings are not loadable (" + e
          + "); put org.lwjgl:lwjgl, its natives and org.lwjgl:lwjgl-opencl on the path");
    }
  }

  @Override
  public Set<String> options() {
    return Set.of(DEVICE);
  }

  @Override
  public ComputeBackend create(BackendOptions options) {
    options.requireOnly(name(), options());
    int index = parseDevice(options.get(DEVICE, "0"));
    Probe probe = probe();
    if (!probe.available()) {
      throw new IllegalStateException("backend 'aparapi' cannot run here: " + probe.reason());
    }
    return AparapiBackend.open(index);
  }

  private static int parseDevice(String v) {
    try {
      int i = Integer.parseInt(v.trim());
      if (i >= 0) {
        return i;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        "backend option '" + DEVICE + "' must be a device index >= 0, got '" + v + "'");
  }
}
