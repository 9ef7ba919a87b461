package io.github.transformers4j.models;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.testing.SharedData;
import java.nio.file.Path;

/** Test helpers: the reference data under the repository's {@code testdata/} and backends by name. */
public final class TestSupport {
  private TestSupport() {}

  /**
   * The file at {@code relative} under the repository's {@code testdata/} folder (see {@link
   * SharedData#require}); fails naming the path when it is absent, so a missing fixture never
   * passes silently.
   */
  public static Path shared(String relative) {
    return SharedData.require(relative);
  }

  /** The {@code cpu} backend on {@code threads} threads (tests may name it; production may not). */
  public static ComputeBackend cpu(int threads) {
    return Backends.installed()
        .create("cpu", BackendOptions.none().with("threads", Integer.toString(threads)));
  }

  /** The naive {@code reference} backend, the oracle. */
  public static ComputeBackend reference() {
    return Backends.installed().create("reference", BackendOptions.none());
  }

  /** Largest absolute difference of two equally long arrays. */
  public static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }
}
