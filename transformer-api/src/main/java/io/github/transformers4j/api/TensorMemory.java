package io.github.transformers4j.api;

/**
 * The bytes of tensor storage a backend holds: the live total and its high-water mark since the
 * last {@link #resetPeak()}. A storage counts from its allocation until every tensor over it is
 * closed or it is garbage collected; views over the same storage count once.
 *
 * <p>Why a counter and not the JVM's heap figures: the heap mixes tensors with every other object
 * and with garbage, and a device backend's memory is not on the heap at all. What a model keeps
 * alive in tensors (activations saved by the tape, a KV cache, parameters) is what this counts.
 *
 * <p>Storage that is dropped without {@code close()} is released when the garbage collector
 * reclaims it, so between a collection and the next, {@link #liveBytes()} (and the peak) may still
 * include storage nothing references any more; {@link #settle} collects and waits for that.
 * Thread-safe.
 */
public final class TensorMemory {
  private long live;
  private long peak;
  private long allocations;

  /** A counter at zero. */
  public TensorMemory() {}

  /** Called by the backend when a storage of {@code bytes} is allocated. */
  public synchronized void allocated(long bytes) {
    live += bytes;
    allocations++;
    if (live > peak) {
      peak = live;
    }
  }

  /** Called by the backend when a storage of {@code bytes} is released. */
  public synchronized void released(long bytes) {
    live -= bytes;
    if (live < 0) {
      throw new IllegalStateException("tensor memory: released more bytes than were allocated");
    }
  }

  /** Bytes of storage held now. */
  public synchronized long liveBytes() {
    return live;
  }

  /** The largest {@link #liveBytes()} since the counter was made or the peak last reset. */
  public synchronized long peakBytes() {
    return peak;
  }

  /** How many storages were allocated since the counter was made. */
  public synchronized long allocations() {
    return allocations;
  }

  /** Starts a new high-water mark at the bytes live now; returns them. */
  public synchronized long resetPeak() {
    peak = live;
    return live;
  }

  /**
   * Runs the garbage collector until the storage nothing references has been released (the live
   * figure stops changing over a few collections) or {@code maxMillis} passed; returns the live
   * bytes then. For measurements, not for hot paths.
   */
  public long settle(long maxMillis) {
    long deadline = System.nanoTime() + maxMillis * 1_000_000L;
    long last = -1;
    int stable = 0;
    while (System.nanoTime() < deadline && stable < 2) {
      System.gc();
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long now = liveBytes();
      stable = now == last ? stable + 1 : 0;
      last = now;
    }
    return liveBytes();
  }
}
