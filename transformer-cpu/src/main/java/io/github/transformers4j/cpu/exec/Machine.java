package io.github.transformers4j.cpu.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;

/**
 * What the kernels are shaped for: the vector width the JVM's Vector API uses, the number of
 * vector registers its JIT may allocate, and the data cache sizes. The SGEMM register tile and
 * its blocking are derived from these at start-up (see {@code Sgemm.Tiling}), never from the
 * machine the code was first tuned on: an 8×2-vector tile that fits AVX-512's 32 registers spills
 * on AVX2's 16 and ran at 0.44× OpenBLAS there.
 *
 * <p>The register count is read from the running JVM, not from the CPU: {@code -XX:UseAVX=2} on
 * an AVX-512 machine gives 256-bit vectors and 16 registers (the VEX encodings), exactly as an
 * AVX2-only machine does, which is how tests check the AVX2 kernels on any host. Each value can
 * be overridden with a system property ({@code t4j.cpu.vectorRegisters}, {@code t4j.cpu.l1d},
 * {@code t4j.cpu.l2}) for experiments.
 */
public final class Machine {
  /** Bits of the preferred float vector species (128, 256 or 512). */
  public static final int VECTOR_BITS = FloatVector.SPECIES_PREFERRED.vectorBitSize();

  /** Floats per vector. */
  public static final int VECTOR_FLOATS = FloatVector.SPECIES_PREFERRED.length();

  /** Vector registers the JIT can allocate: 32 with AVX-512 or on AArch64, else 16. */
  public static final int VECTOR_REGISTERS =
      Integer.getInteger("t4j.cpu.vectorRegisters", detectRegisters());

  /** The instruction set the JVM generates vector code for, e.g. "AVX-512", "AVX2", "NEON". */
  public static final String ISA = detectIsa();

  /** Level-1 data cache of one core, in bytes (32 KiB when it cannot be read). */
  public static final int L1D_BYTES = Integer.getInteger("t4j.cpu.l1d", cacheBytes(1, 32 << 10));

  /** Level-2 cache of one core, in bytes (512 KiB when it cannot be read). */
  public static final int L2_BYTES = Integer.getInteger("t4j.cpu.l2", cacheBytes(2, 512 << 10));

  private Machine() {}

  /** One line for {@code t4j backends}: ISA, vector width, registers and caches. */
  public static String describe() {
    return ISA + ", " + VECTOR_BITS + "-bit vectors, " + VECTOR_REGISTERS + " vector registers, L1d "
        + (L1D_BYTES >> 10) + " KiB, L2 " + (L2_BYTES >> 10) + " KiB";
  }

  private static boolean x86() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    return arch.equals("amd64") || arch.equals("x86_64");
  }

  private static boolean aarch64() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    return arch.equals("aarch64") || arch.equals("arm64");
  }

  // HotSpot's UseAVX: 3 means EVEX encodings (AVX-512), which is what makes zmm/xmm16-31
  // available to the register allocator; -1 when the flag cannot be read (another VM).
  private static int useAvx() {
    try {
      com.sun.management.HotSpotDiagnosticMXBean bean =
          java.lang.management.ManagementFactory.getPlatformMXBean(
              com.sun.management.HotSpotDiagnosticMXBean.class);
      return Integer.parseInt(bean.getVMOption("UseAVX").getValue());
    } catch (RuntimeException | LinkageError e) {
      return -1;
    }
  }

  private static int detectRegisters() {
    if (aarch64()) {
      return 32; // NEON and SVE both have 32 vector registers
    }
    if (x86()) {
      int avx = useAvx();
      if (avx >= 0) {
        return avx >= 3 ? 32 : 16;
      }
      return VECTOR_BITS >= 512 ? 32 : 16;
    }
    return 16;
  }

  private static String detectIsa() {
    if (aarch64()) {
      return VECTOR_BITS > 128 ? "SVE" : "NEON";
    }
    if (x86()) {
      int avx = useAvx();
      switch (avx) {
        case 3:
          return "AVX-512";
        case 2:
          return "AVX2";
        case 1:
          return "AVX";
        case 0:
          return "SSE";
        default:
          return VECTOR_BITS >= 512 ? "AVX-512" : VECTOR_BITS == 256 ? "AVX2" : "SSE";
      }
    }
    return System.getProperty("os.arch", "unknown");
  }

  // Linux describes each cache level of cpu0 under sysfs; elsewhere the fallback holds.
  private static int cacheBytes(int level, int fallback) {
    Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
    for (int i = 0; i < 8; i++) {
      Path index = dir.resolve("index" + i);
      try {
        if (!Files.isDirectory(index)) {
          break;
        }
        String lvl = read(index.resolve("level"));
        String type = read(index.resolve("type"));
        if (lvl.equals(Integer.toString(level)) && !type.equals("Instruction")) {
          String size = read(index.resolve("size")).toUpperCase(Locale.ROOT);
          int mult = 1;
          if (size.endsWith("K")) {
            mult = 1 << 10;
            size = size.substring(0, size.length() - 1);
          } else if (size.endsWith("M")) {
            mult = 1 << 20;
            size = size.substring(0, size.length() - 1);
          }
          return Math.multiplyExact(Integer.parseInt(size.trim()), mult);
        }
      } catch (IOException | RuntimeException e) {
        return fallback;
      }
    }
    return fallback;
  }

  private static String read(Path p) throws IOException {
    return new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).trim();
  }
}
