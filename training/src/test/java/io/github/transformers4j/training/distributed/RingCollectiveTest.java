package io.github.transformers4j.training.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class RingCollectiveTest {
  static final Duration T = Duration.ofSeconds(20);

  static float[] data(long seed, int rank, int len) {
    SplittableRandom r = new SplittableRandom(seed * 31 + rank);
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1) * (1 + rank);
    }
    return a;
  }

  @Test
  void allReduceEqualsTheNaiveSumForOddSizesOnEveryReplicaBitForBit() throws Exception {
    long seed = 20261206L;
    // Lengths shorter than, equal to and not divisible by N, and one spanning several pieces.
    int[] lengths = {0, 1, 2, 3, 7, 1001, 65537 * 2 + 3};
    for (int n = 1; n <= 4; n++) {
      int replicas = n;
      List<float[][]> results =
          Replicas.run(
              n,
              T,
              c -> {
                float[][] out = new float[lengths.length][];
                for (int k = 0; k < lengths.length; k++) {
                  float[] a = data(seed + k, c.rank(), lengths[k]);
                  c.allReduceSum(a);
                  out[k] = a;
                }
                return out;
              });
      for (int k = 0; k < lengths.length; k++) {
        int len = lengths[k];
        double[] naive = new double[len];
        for (int r = 0; r < n; r++) {
          float[] a = data(seed + k, r, len);
          for (int i = 0; i < len; i++) {
            naive[i] += a[i];
          }
        }
        for (int r = 0; r < n; r++) {
          float[] got = results.get(r)[k];
          // Identical bits on every replica: replicas stepping the same weights stay identical.
          assertArrayEquals(results.get(0)[k], got, 0f, "N=" + n + " len=" + len + " rank " + r);
          for (int i = 0; i < len; i++) {
            // n float additions of values below n in magnitude: a few ulps of the sum at most.
            assertEquals(
                naive[i],
                got[i],
                1e-6 * n * n,
                "seed " + seed + " N=" + replicas + " len=" + len + " index " + i);
          }
        }
      }
    }
  }

  @Test
  void allGatherBroadcastAndBarrierReachEveryRank() throws Exception {
    for (int n = 1; n <= 4; n++) {
      int size = n;
      List<String> got =
          Replicas.run(
              n,
              T,
              c -> {
                byte[][] all = c.allGather(("rank" + c.rank()).getBytes(StandardCharsets.UTF_8));
                StringBuilder sb = new StringBuilder();
                for (byte[] b : all) {
                  sb.append(new String(b, StandardCharsets.UTF_8)).append(',');
                }
                float[] w = c.rank() == size - 1 ? data(5, 9, 70_000) : new float[70_000];
                c.broadcast(w, size - 1);
                assertArrayEquals(data(5, 9, 70_000), w, 0f, "broadcast on rank " + c.rank());
                c.barrier();
                float[] m = {c.rank() + 1f};
                c.allReduceMean(m);
                sb.append(m[0]);
                return sb.toString();
              });
      StringBuilder expected = new StringBuilder();
      for (int r = 0; r < n; r++) {
        expected.append("rank").append(r).append(',');
      }
      expected.append((n + 1) / 2f);
      for (String s : got) {
        assertEquals(expected.toString(), s);
      }
    }
  }

  @Test
  void aReplicaThatDiesMakesTheOthersFailNamingItInsteadOfHanging() throws Exception {
    long start = System.nanoTime();
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                Replicas.run(
                    3,
                    Duration.ofSeconds(30),
                    c -> {
                      float[] a = new float[1000];
                      c.allReduceSum(a);
                      if (c.rank() == 1) {
                        throw new IllegalStateException("injected failure on rank 1");
                      }
                      c.allReduceSum(a); // rank 1 never comes: its closed sockets end this
                      return 0;
                    }));
    // Rank 0's future fails first in rank order, with the ring's message, not the time-out.
    CollectiveException ce = assertInstanceOf(CollectiveException.class, e.getCause());
    assertTrue(ce.getMessage().contains("rank 0 of 3"), ce.getMessage());
    assertTrue(
        (System.nanoTime() - start) / 1e9 < 20,
        "the failure must be noticed when the connection closes, not after the 30 s time-out");
  }

  @Test
  void aSilentPeerTimesOutWithTheRankAndAddress() throws Exception {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                Replicas.run(
                    2,
                    Duration.ofSeconds(1),
                    c -> {
                      if (c.rank() == 1) {
                        Thread.sleep(3000); // alive, connected, silent
                        return 0;
                      }
                      c.allReduceSum(new float[8]);
                      return 0;
                    }));
    String msg = e.getCause().getMessage();
    assertTrue(msg.contains("rank 1 (127.0.0.1:") && msg.contains("sent nothing for 1 s"), msg);
  }

  @Test
  void anInterruptedReplicaStopsWaitingLongBeforeTheTimeOut() throws Exception {
    // What Spark does to the surviving tasks of a failed barrier stage: it interrupts them. A
    // blocking socket read ignores interrupts, so the ring must notice them itself.
    java.util.concurrent.atomic.AtomicReference<Thread> waiting =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CountDownLatch joined = new java.util.concurrent.CountDownLatch(2);
    long start = System.nanoTime();
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                Replicas.run(
                    2,
                    Duration.ofSeconds(60),
                    c -> {
                      joined.countDown();
                      if (c.rank() == 1) {
                        joined.await();
                        Thread.sleep(300);
                        waiting.get().interrupt();
                        Thread.sleep(2000); // alive and silent until rank 0 has given up
                        return 0;
                      }
                      waiting.set(Thread.currentThread());
                      c.allReduceSum(new float[16]);
                      return 0;
                    }));
    String msg = e.getCause().getMessage();
    assertTrue(msg.contains("interrupted"), msg);
    assertTrue(
        (System.nanoTime() - start) / 1e9 < 20, "an interrupt must end the wait, not the time-out");
  }

  @Test
  void mismatchedCallsAndBadAddressesAreNamed() throws Exception {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                Replicas.run(
                    2,
                    T,
                    c -> {
                      c.allReduceSum(new float[c.rank() == 0 ? 10 : 11]);
                      return 0;
                    }));
    assertTrue(e.getCause().getMessage().contains("out of step"), e.getCause().getMessage());
    try (RingCollective.Endpoint a = RingCollective.Endpoint.open("127.0.0.1")) {
      IllegalArgumentException bad =
          assertThrows(
              IllegalArgumentException.class,
              () -> a.join(0, List.of("127.0.0.1:1", a.address()), T));
      assertTrue(bad.getMessage().contains("address of rank 0"), bad.getMessage());
      assertThrows(IllegalArgumentException.class, () -> a.join(2, List.of(a.address()), T));
    }
  }
}
