package io.github.transformers4j.gpu.aparapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.spi.Probe;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's registration, option handling, probe and the paths without OpenCL. */
class AparapiBackendProviderTest {

  @Test
  void registeredAsAparapiBelowTheCpuBackend() {
    BackendProvider found = null;
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      if (p.name().equals("aparapi")) {
        found = p;
      }
    }
    assertNotNull(found, "META-INF/services registers the provider");
    assertEquals(50, found.priority());
    assertTrue(found.priority() < 100);
  }

  @Test
  void unknownAndMalformedOptionsAreRejected() {
    var p = new AparapiBackendProvider();
    var e = assertThrows(IllegalArgumentException.class,
        () -> p.create(BackendOptions.none().with("threads", "2")));
    assertTrue(e.getMessage().contains("threads") && e.getMessage().contains("device"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> p.create(BackendOptions.none().with("device", "gpu")));
    assertTrue(e.getMessage().contains("device index"), e.getMessage());
  }

  @Test
  void deviceIndexBeyondTheDevicesNamesThem() {
    var p = new AparapiBackendProvider();
    Probe probe = p.probe();
    Assumptions.assumeTrue(probe.available(), probe.reason());
    var e = assertThrows(IllegalArgumentException.class,
        () -> p.create(BackendOptions.none().with("device", "99")));
    assertTrue(e.getMessage().contains("no OpenCL device 99"), e.getMessage());
  }

  @Test
  void probeNeverThrowsAndSaysWhatItFound() {
    Probe probe = new AparapiBackendProvider().probe();
    System.out.println("[aparapi] probe: " + probe);
    assertFalse(probe.reason().isBlank());
    if (probe.available()) {
      assertTrue(probe.reason().startsWith("OpenCL "), probe.reason());
    }
  }

  @Test
  void simulatedMissingRuntimeIsReportedWithTheFix() {
    System.setProperty(OpenClDevices.SIMULATE_MISSING, "true");
    try {
      Probe probe = new AparapiBackendProvider().probe();
      assertFalse(probe.available());
      assertTrue(probe.reason().contains("libOpenCL.so not loadable")
          && probe.reason().contains("ocl-icd-libopencl1"), probe.reason());
      var e = assertThrows(IllegalStateException.class,
          () -> new AparapiBackendProvider().create(BackendOptions.none()));
      assertTrue(e.getMessage().contains("cannot run here"), e.getMessage());
    } finally {
      System.clearProperty(OpenClDevices.SIMULATE_MISSING);
    }
  }

  @Test
  void loadingTheProviderTouchesNoOpenClClass() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      urls.add(Paths.get(e).toUri().toURL());
    }
    try (Spy loader = new Spy(urls.toArray(URL[]::new))) {
      Class<?> c = Class.forName(AparapiBackendProvider.class.getName(), true, loader);
      // The spy has its own copy of the api classes, so call through reflection, not a cast.
      Object p = c.getDeclaredConstructor().newInstance();
      assertEquals("aparapi", c.getMethod("name").invoke(p));
      c.getMethod("options").invoke(p);
      c.getMethod("priority").invoke(p);
      assertNotNull(loader.loaded(AparapiBackendProvider.class.getName()), "the spy loaded it");
      assertNull(loader.loaded("org.lwjgl.opencl.CL"));
      assertNull(loader.loaded("org.lwjgl.opencl.CL10"));
      assertNull(loader.loaded(Cl.class.getName()));
    }
  }

  /** A class loader that does not delegate our classes, so it shows what they load. */
  private static final class Spy extends URLClassLoader {
    Spy(URL[] urls) {
      super(urls, ClassLoader.getPlatformClassLoader());
    }

    Class<?> loaded(String name) {
      return findLoadedClass(name);
    }
  }

  @Test
  void noPlatformInAChildJvmIsReportedWithTheFix() throws Exception {
    // ocl-icd reads the vendor list from OCL_ICD_VENDORS: an empty directory means no platform.
    String out = probeInChild(Map.of("OCL_ICD_VENDORS", "/nonexistent-t4j-icd-dir"));
    assertTrue(out.contains("PROBE false no OpenCL platform found; install pocl-opencl-icd"), out);
  }

  @Test
  void unloadableLibOpenClInAChildJvmDoesNotCrashIt(@TempDir Path dir) throws Exception {
    // A libOpenCL.so.1 that is not an ELF file shadows the real one: dlopen fails and LWJGL
    // cannot bind OpenCL. The JVM must survive and the probe say what to install.
    Files.writeString(dir.resolve("libOpenCL.so.1"), "not a shared object");
    String out = probeInChild(Map.of("LD_LIBRARY_PATH", dir.toString()));
    assertTrue(out.contains("PROBE false libOpenCL.so not loadable"), out);
  }

  private static String probeInChild(Map<String, String> env)
      throws IOException, InterruptedException {
    Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"),
        "the environment tricks are for Linux's ocl-icd and dynamic linker");
    Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "-cp",
        System.getProperty("java.class.path"), ProbeMain.class.getName());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    byte[] bytes = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = new String(bytes, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  void closeReadsLiveTensorsBackAndRefusesFurtherKernels() {
    var provider = new AparapiBackendProvider();
    Probe probe = provider.probe();
    Assumptions.assumeTrue(probe.available(), probe.reason());
    AparapiBackend b = (AparapiBackend) provider.create(BackendOptions.none());
    Tensor x = b.fromHost(new float[] {1, 2, 3}, Shape.of(3));
    Tensor y = b.affine(x, 2f, 1f);
    assertEquals(new Transfers(1, 12, 0, 0), b.transfers(), "x uploaded, y still only on the device");
    b.close();
    b.close(); // idempotent
    assertEquals(List.of(3f, 5f, 7f), List.of(box(y.toFloatArray())));
    assertThrows(IllegalStateException.class, () -> b.affine(x, 1f, 0f));
  }

  private static Float[] box(float[] a) {
    Float[] r = new Float[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i];
    }
    return r;
  }
}
