package io.github.transformers4j.cpu.exec;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Keeps each SIMD kernel a compilation unit of its own, so that C2 compiles it the same way
 * whatever ran before in the JVM.
 *
 * <p>Why: when C2 inlines a vector kernel into a caller that holds other vector loops (the
 * recurrent gate passes into each other, the SGEMM micro-kernel into its macro-loop), the unit
 * passes C2's node budget for inlining ({@code NodeCountInliningCutoff}, 18,000 nodes, a flag that
 * product JVMs cannot change). From there on the Vector API's {@code @ForceInline} templates are
 * only inlined late, their results lose their exact vector class, every further operation goes
 * through a receiver-type guard, and where such a guard falls back to a virtual call the vectors
 * are boxed and the store's species is no longer a constant ({@code -XX:+PrintIntrinsics}:
 * "missing constant: vclass=DecodeN etype=ConP vlen=LoadI" at {@code VectorSupport::store}).
 * Whether a caller inlines a kernel depends on call counts and on which kernels are already
 * compiled, i.e. on what ran before. Compiled as its own unit, each kernel intrinsifies fully.
 *
 * <p>Java code cannot mark a method "do not inline" (the JDK's {@code @DontInline} only works
 * for JDK classes), so {@link #install()} adds a HotSpot compiler directive through the
 * DiagnosticCommand MBean ({@code jcmd Compiler.directives_add} from inside). On a JVM without
 * it the kernels still run correctly, only with the old compile risk; one line says so. A jlink'd
 * runtime needs {@code jdk.management} and also {@code jdk.jfr}: without the latter the MBean
 * exposes a single operation (JDK 17.0.15), and the directive cannot be added.
 */
public final class JitDirectives {
  private static final AtomicBoolean INSTALLED = new AtomicBoolean();

  /**
   * Every method of the kernels package, the SGEMM micro-kernels and the quantized GEMM's methods
   * stay out of their callers, so each vector loop is compiled in a unit of its own; the
   * exceptions are the scalar helpers called per element (and {@code VMath}'s, which take and
   * return vectors and must be inlined). The first pattern that matches wins.
   */
  static final String DIRECTIVES =
      "[{match: \"io/github/transformers4j/*.*\", c2: {inline: ["
          + "\"+io/github/transformers4j/cpu/kernels/VMath.*\","
          + "\"+io/github/transformers4j/cpu/kernels/Recurrent.tanh\","
          + "\"+io/github/transformers4j/cpu/kernels/Recurrent.sigmoid\","
          + "\"+io/github/transformers4j/cpu/kernels/Elementwise.activate\","
          + "\"+io/github/transformers4j/cpu/kernels/Elementwise.derivative\","
          + "\"+io/github/transformers4j/cpu/kernels/Layout.advance\","
          + "\"+io/github/transformers4j/cpu/gemm/Sgemm.roundUp\","
          + "\"+io/github/transformers4j/cpu/kernels/Attention.*\","
          + "\"-io/github/transformers4j/cpu/kernels/*.*\","
          + "\"-io/github/transformers4j/cpu/gemm/Sgemm.kernel*\","
          + "\"-io/github/transformers4j/cpu/gemm/QuantizedGemm.*\""
          + "]}}]";

  private JitDirectives() {}

  /** Adds the directive once per JVM (later calls do nothing); never throws. */
  public static void install() {
    if (!INSTALLED.compareAndSet(false, true) || Boolean.getBoolean("t4j.cpu.noJitDirectives")) {
      return;
    }
    Path file = null;
    try {
      file = Files.createTempFile("t4j-jit-directives", ".json");
      Files.writeString(file, DIRECTIVES, StandardCharsets.UTF_8);
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      Object out = server.invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"),
          "compilerDirectivesAdd",
          new Object[] {new String[] {file.toString()}},
          new String[] {String[].class.getName()});
      if (out == null || !out.toString().contains("added")) {
        warn("the JVM answered '" + out + "'");
      }
    } catch (Exception | LinkageError e) {
      warn(e.getMessage() == null ? e.toString() : e.getMessage());
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (Exception ignored) {
          // a leftover temporary file of 400 bytes is harmless
        }
      }
    }
  }

  private static void warn(String why) {
    System.getLogger("io.github.transformers4j.cpu")
        .log(System.Logger.Level.INFO, "cpu backend: could not add the JIT directive that keeps "
            + "each vector kernel compiled on its own (" + why + "); kernels may run slower "
            + "in some JVMs (see docs/architecture.md, Vector API rules)");
  }
}
