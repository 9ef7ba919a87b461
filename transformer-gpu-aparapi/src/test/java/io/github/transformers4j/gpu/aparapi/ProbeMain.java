package io.github.transformers4j.gpu.aparapi;

import io.github.transformers4j.api.spi.Probe;

/** Prints the probe in a child JVM whose environment hides OpenCL; see the provider test. */
public final class ProbeMain {
  private ProbeMain() {}

  public static void main(String[] args) {
    Probe p = new AparapiBackendProvider().probe();
    System.out.println("PROBE " + p.available() + " " + p.reason());
  }
}
