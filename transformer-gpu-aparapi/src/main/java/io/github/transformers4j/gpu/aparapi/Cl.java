package io.github.transformers4j.gpu.aparapi;

import static org.lwjgl.opencl.CL10.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.lwjgl.opencl.CL10.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.lwjgl.opencl.CL10.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.lwjgl.opencl.CL10.CL_DEVICE_NAME;
import static org.lwjgl.opencl.CL10.CL_DEVICE_TYPE;
import static org.lwjgl.opencl.CL10.CL_DEVICE_TYPE_ALL;
import static org.lwjgl.opencl.CL10.CL_DEVICE_TYPE_CPU;
import static org.lwjgl.opencl.CL10.CL_DEVICE_TYPE_GPU;
import static org.lwjgl.opencl.CL10.CL_PLATFORM_NAME;
import static org.lwjgl.opencl.CL10.CL_PLATFORM_VERSION;
import static org.lwjgl.opencl.CL10.CL_SUCCESS;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL10;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;

/**
 * The few OpenCL entry points the backend needs, through LWJGL's bindings: loading the ICD loader,
 * listing devices, and turning status codes into messages.
 *
 * <p>LWJGL asks the dynamic linker for {@code libOpenCL.so}, which Debian and Ubuntu install only
 * with the development package; the runtime package has {@code libOpenCL.so.1}. So on Linux the
 * library name is set to the versioned one before the first OpenCL class loads, unless the user
 * chose one with {@code -Dorg.lwjgl.opencl.libname=...}.
 */
final class Cl {
  private Cl() {}

  /** One OpenCL device and what the backend reports about it. */
  record Device(
      long platform, long id, String name, String type, String platformName,
      String platformVersion, int computeUnits, long globalMemBytes, long maxAllocBytes) {

    /** "OpenCL GPU device 'name' on platform 'p' (version), N compute units, M MiB". */
    String describe() {
      return "OpenCL " + type + " device '" + name + "' on platform '" + platformName + "' ("
          + platformVersion + "), " + computeUnits + " compute units, " + (globalMemBytes >> 20)
          + " MiB";
    }
  }

  private static boolean configured;

  /** Points LWJGL at the runtime library name; idempotent, before any OpenCL class loads. */
  static synchronized void configure() {
    if (configured) {
      return;
    }
    configured = true;
    String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
    if (os.contains("linux") && System.getProperty("org.lwjgl.opencl.libname") == null) {
      Configuration.OPENCL_LIBRARY_NAME.set("libOpenCL.so.1");
    }
  }

  /** Every device of every platform, in platform order (the order of {@code clinfo -l}). */
  static List<Device> devices() {
    configure();
    List<Device> out = new ArrayList<>();
    try (MemoryStack s = MemoryStack.stackPush()) {
      IntBuffer n = s.mallocInt(1);
      int st = CL10.clGetPlatformIDs(null, n);
      if (st == -1001 || n.get(0) == 0) { // CL_PLATFORM_NOT_FOUND_KHR: the ICD loader found none
        return out;
      }
      check(st, "clGetPlatformIDs");
      PointerBuffer platforms = s.mallocPointer(n.get(0));
      check(CL10.clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");
      for (int p = 0; p < platforms.capacity(); p++) {
        long platform = platforms.get(p);
        IntBuffer nd = s.mallocInt(1);
        int sd = CL10.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, nd);
        if (sd != CL_SUCCESS || nd.get(0) == 0) {
          continue; // CL_DEVICE_NOT_FOUND: a platform without devices
        }
        PointerBuffer ids = s.mallocPointer(nd.get(0));
        check(CL10.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null),
            "clGetDeviceIDs");
        for (int d = 0; d < ids.capacity(); d++) {
          long id = ids.get(d);
          long type = deviceLong(id, CL_DEVICE_TYPE);
          String t = (type & CL_DEVICE_TYPE_GPU) != 0 ? "GPU"
              : (type & CL_DEVICE_TYPE_CPU) != 0 ? "CPU" : "ACCELERATOR";
          out.add(new Device(platform, id, deviceString(id, CL_DEVICE_NAME).trim(), t,
              platformString(platform, CL_PLATFORM_NAME).trim(),
              platformString(platform, CL_PLATFORM_VERSION).trim(),
              deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS), deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE),
              deviceLong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE)));
        }
      }
    }
    return out;
  }

  private static String deviceString(long id, int param) {
    try (MemoryStack s = MemoryStack.stackPush()) {
      PointerBuffer size = s.mallocPointer(1);
      check(CL10.clGetDeviceInfo(id, param, (ByteBuffer) null, size), "clGetDeviceInfo");
      ByteBuffer b = s.malloc((int) size.get(0));
      check(CL10.clGetDeviceInfo(id, param, b, null), "clGetDeviceInfo");
      return cString(b);
    }
  }

  private static String platformString(long id, int param) {
    try (MemoryStack s = MemoryStack.stackPush()) {
      PointerBuffer size = s.mallocPointer(1);
      check(CL10.clGetPlatformInfo(id, param, (ByteBuffer) null, size), "clGetPlatformInfo");
      ByteBuffer b = s.malloc((int) size.get(0));
      check(CL10.clGetPlatformInfo(id, param, b, null), "clGetPlatformInfo");
      return cString(b);
    }
  }

  private static long deviceLong(long id, int param) {
    try (MemoryStack s = MemoryStack.stackPush()) {
      LongBuffer b = s.mallocLong(1);
      check(CL10.clGetDeviceInfo(id, param, b, null), "clGetDeviceInfo");
      return b.get(0);
    }
  }

  private static int deviceInt(long id, int param) {
    try (MemoryStack s = MemoryStack.stackPush()) {
      IntBuffer b = s.mallocInt(1);
      check(CL10.clGetDeviceInfo(id, param, b, null), "clGetDeviceInfo");
      return b.get(0);
    }
  }

  private static String cString(ByteBuffer b) {
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    int len = 0;
    while (len < bytes.length && bytes[len] != 0) {
      len++;
    }
    return new String(bytes, 0, len, StandardCharsets.UTF_8);
  }

  /** Throws with the call's name and the status's name unless {@code status} is CL_SUCCESS. */
  static void check(int status, String call) {
    if (status != CL_SUCCESS) {
      throw new IllegalStateException("OpenCL " + call + " failed: " + statusName(status));
    }
  }

  static String statusName(int status) {
    return switch (status) {
      case -1 -> "CL_DEVICE_NOT_FOUND";
      case -2 -> "CL_DEVICE_NOT_AVAILABLE";
      case -3 -> "CL_COMPILER_NOT_AVAILABLE";
      case -4 -> "CL_MEM_OBJECT_ALLOCATION_FAILURE (the device is out of memory)";
      case -5 -> "CL_OUT_OF_RESOURCES";
      case -6 -> "CL_OUT_OF_HOST_MEMORY";
      case -11 -> "CL_BUILD_PROGRAM_FAILURE";
      case -30 -> "CL_INVALID_VALUE";
      case -36 -> "CL_INVALID_COMMAND_QUEUE";
      case -38 -> "CL_INVALID_MEM_OBJECT";
      case -48 -> "CL_INVALID_KERNEL";
      case -49 -> "CL_INVALID_ARG_INDEX";
      case -50 -> "CL_INVALID_ARG_VALUE";
      case -51 -> "CL_INVALID_ARG_SIZE";
      case -52 -> "CL_INVALID_KERNEL_ARGS";
      case -54 -> "CL_INVALID_WORK_GROUP_SIZE";
      case -61 -> "CL_INVALID_BUFFER_SIZE";
      case -1001 -> "CL_PLATFORM_NOT_FOUND_KHR (no OpenCL platform installed)";
      default -> "OpenCL status " + status;
    };
  }
}
