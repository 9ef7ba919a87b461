package io.github.transformers4j.gpu.aparapi;

import io.github.transformers4j.api.spi.Probe;
import java.util.List;

/**
 * The OpenCL devices of this machine, and the probe built on them. Kept apart from {@link
 * AparapiBackendProvider} so that loading the provider class loads no OpenCL class: the first
 * LWJGL OpenCL class touched here loads LWJGL's native library and libOpenCL.
 */
final class OpenClDevices {
  /** Set to {@code true} to make the probe report a missing OpenCL runtime (for tests). */
  static final String SIMULATE_MISSING = "t4j.aparapi.simulateMissingOpenCL";

  private OpenClDevices() {}

  /** The probe: never throws, names the first device or says what to install. */
  static Probe probe() {
    if (Boolean.getBoolean(SIMULATE_MISSING)) {
      return missingRuntime("simulated by -D" + SIMULATE_MISSING);
    }
    try {
      List<Cl.Device> devices = Cl.devices();
      if (devices.isEmpty()) {
        return Probe.unavailable(
            "no OpenCL platform found; install pocl-opencl-icd and ocl-icd-libopencl1 (CPU) or"
                + " your GPU vendor's OpenCL driver, and check with 'clinfo -l'");
      }
      return Probe.available(
          devices.get(0).describe()
              + (devices.size() == 1 ? "" : " (device 0 of " + devices.size() + ")"));
    } catch (LinkageError | RuntimeException e) {
      // UnsatisfiedLinkError (libOpenCL.so.1 or LWJGL's natives), NoClassDefFoundError (LWJGL
      // not on the path), or a failure inside the ICD loader.
      return missingRuntime(String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
    }
  }

  private static Probe missingRuntime(String detail) {
    return Probe.unavailable(
        "libOpenCL.so not loadable ("
            + detail
            + "); install ocl-icd-libopencl1 and an OpenCL driver (pocl-opencl-icd for CPUs)");
  }

  /** The OpenCL devices, in platform order; empty when there is no runtime. */
  static List<Cl.Device> list() {
    return Cl.devices();
  }
}
