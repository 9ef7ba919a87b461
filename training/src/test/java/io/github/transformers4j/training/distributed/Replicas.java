package io.github.transformers4j.training.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** N replicas as threads of this JVM, joined in a loopback ring: what Spark's tasks do, in small. */
public final class Replicas {
  private Replicas() {}

  /** What one replica does with its collective. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Collective c) throws Exception;
  }

  /**
   * Runs {@code work} on {@code n} replicas and returns their results by rank; the first failure
   * (in rank order) is rethrown. Each collective is closed when its work ends, as a task's would.
   */
  public static <T> List<T> run(int n, Duration timeout, Work<T> work) throws Exception {
    List<RingCollective.Endpoint> ends = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      RingCollective.Endpoint e = RingCollective.Endpoint.open("127.0.0.1");
      ends.add(e);
      addresses.add(e.address());
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        int rank = r;
        fs.add(
            pool.submit(
                () -> {
                  try (RingCollective c = ends.get(rank).join(rank, addresses, timeout)) {
                    return work.run(c);
                  }
                }));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        out.add(f.get(timeout.toSeconds() * 4 + 60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
      ends.forEach(RingCollective.Endpoint::close);
    }
  }
}
