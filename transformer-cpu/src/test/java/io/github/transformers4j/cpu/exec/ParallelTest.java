package io.github.transformers4j.cpu.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ParallelTest {

  @Test
  void everyIndexRunsExactlyOnceOverManyCalls() {
    try (Parallel p = new Parallel(3, "test-par")) {
      for (int call = 0; call < 2000; call++) {
        int n = 1 + call % 97;
        int pieces = 1 + call % 7;
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        p.forPieces(n, pieces, (s, e) -> {
          assertTrue(Parallel.inParallelRegion());
          for (int i = s; i < e; i++) {
            hits.incrementAndGet(i);
          }
        });
        for (int i = 0; i < n; i++) {
          assertEquals(1, hits.get(i), "call " + call + " index " + i + " of " + n);
        }
      }
      assertFalse(Parallel.inParallelRegion());
    }
  }

  @Test
  void piecesRunOnMoreThanOneThreadAndNestedLoopsRunSerially() throws Exception {
    try (Parallel p = new Parallel(2, "test-par")) {
      java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
      CountDownLatch both = new CountDownLatch(2);
      p.forPieces(2, 2, (s, e) -> {
        names.add(Thread.currentThread().getName());
        both.countDown();
        try {
          // Each piece waits for the other: this only finishes if two threads run them.
          assertTrue(both.await(10, java.util.concurrent.TimeUnit.SECONDS), "pieces not parallel");
        } catch (InterruptedException ex) {
          throw new IllegalStateException(ex);
        }
        String outer = Thread.currentThread().getName();
        p.forRange(100, 1, (s2, e2) -> {
          assertEquals(0, s2);
          assertEquals(100, e2); // one serial piece on the same thread
          assertEquals(outer, Thread.currentThread().getName());
        });
      });
      assertEquals(2, names.size(), names.toString());
    }
  }

  @Test
  void theFirstFailureIsRethrownAndThePoolStaysUsable() {
    try (Parallel p = new Parallel(2, "test-par")) {
      IllegalStateException boom = new IllegalStateException("boom");
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> p.forPieces(8, 8, (s, x) -> {
            if (s == 5) {
              throw boom;
            }
          }));
      assertSame(boom, e);
      AtomicInteger sum = new AtomicInteger();
      p.forPieces(10, 4, (s, x) -> sum.addAndGet(x - s));
      assertEquals(10, sum.get());
    }
  }

  @Test
  void concurrentCallersFromSeveralThreadsAllComplete() throws Exception {
    try (Parallel p = new Parallel(2, "test-par")) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread[] callers = new Thread[3];
      for (int t = 0; t < callers.length; t++) {
        callers[t] = new Thread(() -> {
          try {
            for (int call = 0; call < 500; call++) {
              AtomicIntegerArray hits = new AtomicIntegerArray(64);
              p.forPieces(64, 4, (s, e) -> {
                for (int i = s; i < e; i++) {
                  hits.incrementAndGet(i);
                }
              });
              for (int i = 0; i < 64; i++) {
                if (hits.get(i) != 1) {
                  throw new AssertionError("index " + i + " ran " + hits.get(i) + " times");
                }
              }
            }
          } catch (Throwable ex) {
            failure.compareAndSet(null, ex);
          }
        });
        callers[t].start();
      }
      for (Thread t : callers) {
        t.join(60_000);
        assertFalse(t.isAlive(), "a caller hung");
      }
      if (failure.get() != null) {
        throw new AssertionError(failure.get());
      }
    }
  }

  @Test
  void afterCloseLoopsRunOnTheCaller() {
    Parallel p = new Parallel(2, "test-par");
    p.close();
    String me = Thread.currentThread().getName();
    java.util.List<String> ranges = new java.util.ArrayList<>();
    p.forPieces(10, 5, (s, e) -> {
      ranges.add(s + "-" + e);
      assertEquals(me, Thread.currentThread().getName());
    });
    // The pieces it would have had on the pool, in order: a kernel's sums follow its pieces.
    assertEquals(java.util.List.of("0-2", "2-4", "4-6", "6-8", "8-10"), ranges);
  }

  @Test
  void aLoopStartedWhileAnotherHoldsThePoolRunsTheSamePiecesOnItsCaller() throws Exception {
    try (Parallel p = new Parallel(2, "test-par")) {
      CountDownLatch holding = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread owner =
          new Thread(
              () ->
                  p.forPieces(2, 2, (s, e) -> {
                    holding.countDown();
                    try {
                      release.await();
                    } catch (InterruptedException ex) {
                      throw new IllegalStateException(ex);
                    }
                  }));
      owner.start();
      assertTrue(holding.await(10, java.util.concurrent.TimeUnit.SECONDS));
      java.util.List<String> ranges = new java.util.ArrayList<>();
      String me = Thread.currentThread().getName();
      p.forPieces(7, 3, (s, e) -> {
        ranges.add(s + "-" + e);
        assertEquals(me, Thread.currentThread().getName());
      });
      release.countDown();
      owner.join();
      assertEquals(java.util.List.of("0-2", "2-4", "4-7"), ranges);
    }
  }
}
