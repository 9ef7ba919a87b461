package io.github.transformers4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.reference.ReferenceBackend;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@link ComputeBackend#kernelNames()} names every kernel of the SPI, once. */
class KernelNamesTest {
  /** Methods of the SPI that are not kernels. */
  private static final Set<String> NOT_KERNELS =
      Set.of("name", "description", "memory", "close", "runsOnDevice", "kernelNames",
          "tensorsInHostMemory", "finish");

  @Test
  void everyKernelMethodIsListedOnceAndNothingElse() {
    Set<String> declared = new TreeSet<>();
    for (Method m : ComputeBackend.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()
          && !NOT_KERNELS.contains(m.getName())) {
        declared.add(m.getName());
      }
    }
    List<String> listed = ComputeBackend.kernelNames();
    assertEquals(listed.size(), new HashSet<>(listed).size(), "a kernel listed twice: " + listed);
    assertEquals(declared, new TreeSet<>(listed), "kernelNames() against the SPI's methods");
  }

  @Test
  void hostMemoryBackendsRunEveryKernelOnTheirDeviceAndUnknownNamesAreRejected() {
    ComputeBackend ref = new ReferenceBackend();
    for (String k : ComputeBackend.kernelNames()) {
      assertTrue(ref.runsOnDevice(k), k);
    }
    var e = assertThrows(IllegalArgumentException.class, () -> ref.runsOnDevice("gemm"));
    assertTrue(e.getMessage().startsWith("'gemm' is not a kernel of the backend SPI; kernels: [fromHost,"),
        e.getMessage());
  }
}
