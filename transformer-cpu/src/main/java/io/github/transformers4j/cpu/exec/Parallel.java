package io.github.transformers4j.cpu.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A sized pool that splits a loop over {@code [0, n)} into contiguous pieces, run by the calling
 * thread and {@code threads - 1} workers, each taking the next piece until none is left. Kernels
 * call it for their outer loop; a call made from inside a piece (a GEMM inside a parallel
 * attention head) runs serially, so nested kernels neither oversubscribe the cores nor wait on a
 * pool that is busy running their parent. A call made while another thread's loop holds the pool
 * also runs serially on its caller. Run serially, a loop still runs the pieces it would have had
 * on the pool, in order: a kernel's result depends on its pieces (their number is chosen from the
 * configured thread count and the sizes), never on which thread ran them or whether the pool was
 * free, so one backend shared by several threads gives each the bits it would get alone.
 *
 * <p>A transformer forward is a chain of a hundred or so kernels of tens to hundreds of
 * microseconds each, and waking a parked thread costs about as much as a small kernel. So idle
 * workers first spin for {@link #spinNanos()} watching for the next loop (as ONNX Runtime's and
 * OpenMP's pools do), and only then park; the caller likewise spins briefly for the last piece
 * before parking. With an executor whose workers parked at once, the same forward on two threads
 * spent a fifth of its time waiting for wake-ups.
 */
public final class Parallel implements AutoCloseable {
  // Depth of parallel regions the current thread is executing; > 0 means "already parallel".
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  /**
   * How long an idle worker spins before parking, unless {@code t4j.cpu.spinMicros} says; no
   * spinning when there are more threads than processors.
   */
  private static final long DEFAULT_SPIN_NANOS = 200_000L;

  private final int threads;
  private final long spinNanos;
  private final Thread[] workers; // empty when threads == 1
  private final AtomicReference<Job> current = new AtomicReference<>();
  // Held by the thread whose loop is running on the workers; others run theirs serially.
  private final AtomicInteger owner = new AtomicInteger();
  private volatile boolean closed;

  /** A loop body over the half-open range {@code [start, end)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int start, int end);
  }

  /** One call of {@link #forRange}: its pieces, the next one to take and how many are unfinished. */
  private static final class Job {
    final RangeBody body;
    final int n;
    final int pieces;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger remaining;
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    volatile Thread waiter;

    Job(RangeBody body, int n, int pieces) {
      this.body = body;
      this.n = n;
      this.pieces = pieces;
      this.remaining = new AtomicInteger(pieces);
    }

    /** Runs pieces until none is left to take. */
    void work() {
      for (int p; (p = next.getAndIncrement()) < pieces; ) {
        try {
          if (failure.get() == null) {
            body.run((int) ((long) n * p / pieces), (int) ((long) n * (p + 1) / pieces));
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          if (remaining.decrementAndGet() == 0) {
            Thread w = waiter;
            if (w != null) {
              LockSupport.unpark(w);
            }
          }
        }
      }
    }
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
    // More threads than cores: a spinning worker would take a core from one doing real work.
    long spinDefault =
        threads > Runtime.getRuntime().availableProcessors() ? 0 : DEFAULT_SPIN_NANOS / 1000;
    this.spinNanos = Long.getLong("t4j.cpu.spinMicros", spinDefault) * 1000;
    this.workers = new Thread[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      Thread t = new Thread(this::workerLoop, namePrefix + "-" + (i + 1));
      t.setDaemon(true);
      workers[i] = t;
      t.start();
    }
  }

  /** The number of threads a loop may use, the caller included. */
  public int threads() {
    return threads;
  }

  /** How long an idle worker, or a caller waiting for its last piece, spins before parking. */
  public long spinNanos() {
    return spinNanos;
  }

  /** Whether the current thread is already inside a piece of a parallel loop. */
  public static boolean inParallelRegion() {
    return DEPTH.get()[0] > 0;
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous pieces
   * of at least {@code grain} iterations; returns when every piece is done and rethrows the first
   * failure.
   */
  public void forRange(int n, int grain, RangeBody body) {
    forPieces(n, Math.min(threads, ceilDiv(n, Math.max(1, grain))), body);
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into {@code pieces} contiguous pieces of nearly
   * equal size (at most {@code n}), which the threads take in turn: more pieces than threads
   * balance the load when a thread starts late or is slowed by other work on its core.
   */
  public void forPieces(int n, int pieces, RangeBody body) {
    if (n <= 0) {
      return;
    }
    pieces = Math.min(pieces, n);
    if (pieces <= 1 || workers.length == 0 || inParallelRegion()) {
      // A nested loop is one piece: whether a loop is nested follows from the call structure
      // alone, so this too is the same on every run.
      runMarked(body, 0, n);
      return;
    }
    if (closed || !owner.compareAndSet(0, 1)) {
      // The same pieces, in order, on the caller: a kernel whose sums follow its pieces (a GEMM
      // split over N whose parts pick their own blocking, a K split) then gives the same bits
      // whether the pool was free or busy with another thread's loop.
      int[] depth = DEPTH.get();
      depth[0]++;
      try {
        for (int p = 0; p < pieces; p++) {
          body.run((int) ((long) n * p / pieces), (int) ((long) n * (p + 1) / pieces));
        }
      } finally {
        depth[0]--;
      }
      return;
    }
    Job job = new Job(body, n, pieces);
    try {
      current.set(job);
      for (Thread w : workers) {
        LockSupport.unpark(w); // a spinning worker ignores it (one permit, consumed later)
      }
      int[] depth = DEPTH.get();
      depth[0]++;
      try {
        job.work();
      } finally {
        depth[0]--;
      }
      awaitPieces(job);
    } finally {
      current.set(null);
      owner.set(0);
    }
    Throwable failure = job.failure.get();
    if (failure instanceof RuntimeException r) {
      throw r;
    } else if (failure instanceof Error err) {
      throw err;
    } else if (failure != null) {
      throw new IllegalStateException("parallel kernel failed", failure);
    }
  }

  private void awaitPieces(Job job) {
    if (job.remaining.get() == 0) {
      return;
    }
    long start = System.nanoTime();
    while (job.remaining.get() != 0) {
      if (System.nanoTime() - start < spinNanos) {
        Thread.onSpinWait();
        continue;
      }
      job.waiter = Thread.currentThread();
      if (job.remaining.get() != 0) {
        LockSupport.parkNanos(this, 1_000_000L); // bounded: a lost wake-up costs 1 ms, not a hang
      }
    }
  }

  private void workerLoop() {
    DEPTH.get()[0] = 1; // a worker only ever runs pieces: its own loops run serially
    Job last = null;
    while (!closed) {
      Job job = current.get();
      if (job == null || job == last) {
        long start = System.nanoTime();
        while (!closed && ((job = current.get()) == null || job == last)) {
          if (System.nanoTime() - start < spinNanos) {
            Thread.onSpinWait();
          } else {
            LockSupport.park(this);
          }
        }
        if (closed) {
          return;
        }
      }
      last = job;
      job.work();
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

  private static int ceilDiv(int a, int b) {
    return (int) (((long) a + b - 1) / b);
  }

  /** Stops the workers; loops started afterwards run on the caller only. */
  @Override
  public void close() {
    closed = true;
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
  }
}
