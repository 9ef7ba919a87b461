package io.github.transformers4j.apps.fake;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.spi.Probe;
import java.util.Set;

/**
 * Backend providers registered for the tests through {@code META-INF/services}, so the CLI finds
 * them the way it finds real ones: {@code fake} (available, takes {@code threads}), {@code
 * fake-gpu} (higher priority but unavailable), {@code fake-plain} (no options at all) and {@code
 * fake-broken} (a wrong matmul).
 */
public final class FakeProviders {
  private FakeProviders() {}

  /** Available, priority 10, option {@code threads}; its description names the thread count. */
  public static final class Fake implements BackendProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public int priority() {
      return 10;
    }

    @Override
    public Probe probe() {
      return Probe.available("naive Java loops for tests");
    }

    @Override
    public Set<String> options() {
      return Set.of("threads");
    }

    @Override
    public ComputeBackend create(BackendOptions options) {
      options.requireOnly(name(), options());
      int threads = options.getPositiveInt("threads", 1);
      return new FakeBackend(name(), "fake, threads=" + threads, false);
    }
  }

  /** Unavailable, priority 50: the default must skip it. */
  public static final class FakeGpu implements BackendProvider {
    @Override
    public String name() {
      return "fake-gpu";
    }

    @Override
    public int priority() {
      return 50;
    }

    @Override
    public Probe probe() {
      return Probe.unavailable("no fake device here");
    }

    @Override
    public Set<String> options() {
      return Set.of("device");
    }

    @Override
    public ComputeBackend create(BackendOptions options) {
      throw new IllegalStateException("no fake device here");
    }
  }

  /** Available, priority 1, no options: rejects {@code threads} as real providers do. */
  public static final class FakePlain implements BackendProvider {
    @Override
    public String name() {
      return "fake-plain";
    }

    @Override
    public int priority() {
      return 1;
    }

    @Override
    public Probe probe() {
      return Probe.available("no options");
    }

    @Override
    public Set<String> options() {
      return Set.of();
    }

    @Override
    public ComputeBackend create(BackendOptions options) {
      options.requireOnly(name(), options());
      return new FakeBackend(name(), "fake without options", false);
    }
  }

  /** Available, priority 0; its matmul leaves out one term of each dot product. */
  public static final class FakeBroken implements BackendProvider {
    @Override
    public String name() {
      return "fake-broken";
    }

    @Override
    public int priority() {
      return 0;
    }

    @Override
    public Probe probe() {
      return Probe.available("drops a term of every dot product");
    }

    @Override
    public Set<String> options() {
      return Set.of("threads");
    }

    @Override
    public ComputeBackend create(BackendOptions options) {
      options.requireOnly(name(), options());
      return new FakeBackend(name(), "broken", true);
    }
  }
}
