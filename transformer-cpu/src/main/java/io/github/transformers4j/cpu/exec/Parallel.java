package io.github.transformers4j.cpu.exec;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sized pool that splits a loop over {@code [0, n)} into contiguous chunks, one per thread, with
 * the calling thread running the first chunk. Kernels call it for their outer loop; a call made
 * from inside a chunk (a GEMM inside a parallel attention head) runs serially, so nested kernels
 * neither oversubscribe the cores nor wait on a pool that is busy running their parent.
 */
public final class Parallel implements AutoCloseable {
  // Depth of parallel regions the current thread is executing; > 0 means "already parallel".
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private final int threads;
  private final ExecutorService pool; // null when threads == 1: no idle threads to manage
  private volatile boolean closed;

  /** A loop body over the half-open range {@code [start, end)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int start, int end);
  }

  /**
   * A pool of {@code threads} including the caller: {@code threads - 1} daemon workers named
   * {@code namePrefix-N}.
   */
  public Parallel(int threads, String namePrefix) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    if (threads == 1) {
      pool = null;
    } else {
      AtomicInteger counter = new AtomicInteger();
      ThreadFactory factory =
          r -> {
            Thread t = new Thread(r, namePrefix + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
          };
      pool =
          new ThreadPoolExecutor(
              threads - 1, threads - 1, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
              factory);
    }
  }

  /** The number of threads a loop may use, the caller included. */
  public int threads() {
    return threads;
  }

  /** Whether the current thread is already inside a chunk of a parallel loop. */
  public static boolean inParallelRegion() {
    return DEPTH.get()[0] > 0;
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks
   * of at least {@code grain} iterations; returns when every chunk is done and rethrows the first
   * failure.
   */
  public void forRange(int n, int grain, RangeBody body) {
    if (n <= 0) {
      return;
    }
    int chunks = Math.min(threads, (n + Math.max(1, grain) - 1) / Math.max(1, grain));
    if (chunks <= 1 || pool == null || closed || inParallelRegion()) {
      body.run(0, n);
      return;
    }
    Future<?>[] futures = new Future<?>[chunks - 1];
    for (int c = 1; c < chunks; c++) {
      int start = (int) ((long) n * c / chunks);
      int end = (int) ((long) n * (c + 1) / chunks);
      futures[c - 1] = pool.submit(() -> runMarked(body, start, end));
    }
    Throwable failure = null;
    try {
      runMarked(body, 0, (int) ((long) n / chunks));
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) {
          failure = new IllegalStateException("interrupted while waiting for a parallel kernel", e);
        }
      }
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    } else if (failure instanceof Error err) {
      throw err;
    } else if (failure != null) {
      throw new IllegalStateException("parallel kernel failed", failure);
    }
  }

  private static void runMarked(RangeBody body, int start, int end) {
    int[] depth = DEPTH.get();
    depth[0]++;
    try {
      body.run(start, end);
    } finally {
      depth[0]--;
    }
  }

  /** Stops the workers; loops started afterwards run on the caller only. */
  @Override
  public void close() {
    closed = true;
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
