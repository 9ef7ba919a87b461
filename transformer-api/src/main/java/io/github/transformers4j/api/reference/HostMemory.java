package io.github.transformers4j.api.reference;

import io.github.transformers4j.api.TensorMemory;
import java.lang.ref.Cleaner;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Tracks the heap arrays under {@link HostTensor}s for a backend whose memory is the Java heap, into
 * a {@link TensorMemory}. One array is one storage, however many tensors view it: it is released
 * when the last open tensor over it is closed, or when the garbage collector reclaims it (through
 * a {@link Cleaner}), whichever comes first, and never twice.
 *
 * <p>A backend opts in by implementing {@link Source}; {@link HostTensor#wrap} asks it.
 */
public final class HostMemory {
  /** A backend that tracks its host tensors; {@link #hostMemory()} is null while it does not. */
  public interface Source {
    /** The tracker, or null when this backend does not track. */
    HostMemory hostMemory();
  }

  // One cleaner thread for all trackers, started on first use (not at class load).
  private static final class CleanerHolder {
    static final Cleaner CLEANER = Cleaner.create();
  }

  private final TensorMemory counter = new TensorMemory();
  // Keyed by the array itself: arrays compare by identity, and a weak key lets it be collected.
  private final Map<Object, Storage> storages = new WeakHashMap<>();

  /** A tracker with its own counter. */
  public HostMemory() {}

  /** The counter this tracker feeds. */
  public TensorMemory counter() {
    return counter;
  }

  /** One array: its size and how many open tensors view it. Holds no reference to the array. */
  final class Storage implements Runnable {
    private final long bytes;
    private int open;
    private boolean released;

    Storage(long bytes) {
      this.bytes = bytes;
    }

    /** A tensor over this storage was closed. */
    void closeOne() {
      synchronized (HostMemory.this) {
        if (open > 0 && --open == 0) {
          release();
        }
      }
    }

    /** The cleaner's action: the array was collected. */
    @Override
    public void run() {
      synchronized (HostMemory.this) {
        open = 0;
        release();
      }
    }

    private void release() {
      if (!released) {
        released = true;
        counter.released(bytes);
      }
    }
  }

  /** Counts a tensor over {@code array} ({@code float[]} or {@code int[]}, 4 bytes an element). */
  synchronized Storage track(Object array, int elements) {
    Storage s = storages.get(array);
    if (s == null) {
      s = new Storage(4L * elements);
      storages.put(array, s);
      CleanerHolder.CLEANER.register(array, s);
      counter.allocated(s.bytes);
    } else if (s.released) {
      // Every tensor over it was closed and a kernel wrapped the array again: live once more.
      s.released = false;
      counter.allocated(s.bytes);
    }
    s.open++;
    return s;
  }
}
