package io.github.transformers4j.gpu.aparapi;

import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLLoader;
import io.github.transformers4j.api.spi.Probe;
import java.util.List;
import java.util.Locale;

/**
 * The OpenCL devices Aparapi sees, and the probe built on them. Kept apart from {@link
 * AparapiBackendProvider} so that loading the provider class loads no Aparapi class: the first
 * Aparapi class touched here loads the JNI library and libOpenCL.
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
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!(os.contains("linux") || os.contains("windows") || os.contains("mac"))) {
      return Probe.unavailable(
          "Aparapi ships no native library for " + os + "/" + arch + "; use the cpu backend");
    }
    try {
      if (!OpenCLLoader.isOpenCLAvailable()) {
        return missingRuntime("see the SEVERE line logged by com.aparapi above");
      }
      List<OpenCLDevice> devices = OpenCLDevice.listDevices(null);
      if (devices.isEmpty()) {
        return Probe.unavailable(
            "no OpenCL platform found; install pocl-opencl-icd and ocl-icd-libopencl1 (CPU) or"
                + " your GPU vendor's OpenCL driver, and check with 'clinfo -l'");
      }
      return Probe.available(describe(devices.get(0)) + devicesSuffix(devices));
    } catch (LinkageError | RuntimeException e) {
      // UnsatisfiedLinkError (libOpenCL.so.1 or the JNI library), NoClassDefFoundError (Aparapi
      // not on the path), or a JNI failure inside the ICD loader.
      return missingRuntime(e.toString());
    }
  }

  private static Probe missingRuntime(String detail) {
    return Probe.unavailable(
        "libOpenCL.so not loadable (Aparapi's JNI library failed to load: "
            + detail
            + "); install ocl-icd-libopencl1 and an OpenCL driver (pocl-opencl-icd for CPUs)");
  }

  private static String devicesSuffix(List<OpenCLDevice> devices) {
    return devices.size() == 1 ? "" : " (device 0 of " + devices.size() + ")";
  }

  /** The OpenCL devices, in platform order; empty when there is no runtime. */
  static List<OpenCLDevice> list() {
    if (!OpenCLLoader.isOpenCLAvailable()) {
      return List.of();
    }
    return OpenCLDevice.listDevices(null);
  }

  /** "name (type) on platform version" for logs and probes. */
  static String describe(OpenCLDevice d) {
    return "OpenCL "
        + d.getType()
        + " device '"
        + d.getName()
        + "' on platform '"
        + d.getOpenCLPlatform().getName()
        + "' ("
        + d.getOpenCLPlatform().getVersion().trim()
        + "), "
        + d.getMaxComputeUnits()
        + " compute units, "
        + (d.getGlobalMemSize() >> 20)
        + " MiB";
  }
}
