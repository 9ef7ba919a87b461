package io.github.transformers4j.it.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.conformance.BackendConformance;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.Probe;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the whole conformance suite (every kernel against the reference, every gradient against
 * finite differences) on each backend that {@link java.util.ServiceLoader} finds. A backend that
 * cannot run here is skipped with its probe's reason, except on CI ({@code CI=true}) or with
 * {@code -Dt4j.require.opencl=true}, where PoCL is installed and a skip would hide a failure.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("installed")
class InstalledBackendsConformanceTest extends BackendConformance {

  @Parameter String backendName;

  @Override
  protected String backendKey() {
    return getClass().getName() + "/" + backendName;
  }

  @AfterParameterizedClassInvocation
  static void closeBackend() {
    closeBackends(InstalledBackendsConformanceTest.class.getName());
  }

  static List<String> installed() {
    List<String> names =
        Backends.installed().byPriority().stream().map(BackendProvider::name).toList();
    assertTrue(names.contains("cpu"), "the cpu backend must be installed; found " + names);
    return names;
  }

  static boolean devicesRequired() {
    return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("t4j.require.opencl");
  }

  @Override
  protected ComputeBackend createBackend() {
    BackendProvider provider = Backends.installed().provider(backendName);
    Probe probe = Backends.installed().probe(provider);
    String why = "backend '" + backendName + "' unavailable: " + probe.reason();
    if (!probe.available()) {
      System.out.println("SKIP conformance: " + why);
      if (devicesRequired()) {
        throw new AssertionError(why + " (required on CI, where PoCL is installed)");
      }
    }
    Assumptions.assumeTrue(probe.available(), why);
    System.out.println("conformance: running on " + backendName + " (" + probe.reason() + ")");
    return provider.create(BackendOptions.none());
  }
}
