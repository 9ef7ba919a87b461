package io.github.transformers4j.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Gathers the texts of concurrent embedding requests into one forward pass: a single thread takes
 * the first waiting request, then waits up to {@code maxWait} for more until {@code maxBatch}
 * texts are together, runs them as one batch and completes each request with its rows. With
 * {@code maxBatch} 1 and no wait it computes one request at a time (the baseline the load bench
 * compares with). The queue is bounded: {@link #submit} refuses when it is full, which the server
 * answers with 429.
 */
final class MicroBatcher implements AutoCloseable {
  /** The model's embedding of a batch of texts: one vector per text, in order. */
  @FunctionalInterface
  interface Embed {
    float[][] embed(List<String> texts);
  }

  private record Pending(List<String> texts, CompletableFuture<float[][]> result) {}

  private static final Pending STOP = new Pending(List.of(), new CompletableFuture<>());

  private final Embed embed;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final BlockingQueue<Pending> queue;
  private final Thread thread;
  private final IntConsumer batchDone;

  /**
   * A batcher over {@code embed}, started at once.
   *
   * @param name names the thread
   * @param queueCapacity requests that may wait
   * @param batchDone told the number of texts of each forward pass (metrics)
   */
  MicroBatcher(
      String name, Embed embed, int maxBatch, long maxWaitMillis, int queueCapacity,
      IntConsumer batchDone) {
    if (maxBatch < 1 || maxWaitMillis < 0 || queueCapacity < 1) {
      throw new IllegalArgumentException(
          "micro-batch size must be >= 1, wait >= 0 ms and queue >= 1; got " + maxBatch + ", "
              + maxWaitMillis + " ms, " + queueCapacity);
    }
    this.embed = embed;
    this.maxBatch = maxBatch;
    this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
    this.queue = new ArrayBlockingQueue<>(queueCapacity + 1); // + 1: room for STOP
    this.batchDone = batchDone;
    this.thread = new Thread(this::loop, "t4j-embed-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Requests waiting for a batch. */
  int depth() {
    return queue.size();
  }

  /**
   * Queues {@code texts}; the future completes with their vectors.
   *
   * @return {@code null} when the queue is full
   */
  CompletableFuture<float[][]> submit(List<String> texts) {
    Pending p = new Pending(List.copyOf(texts), new CompletableFuture<>());
    // Keep the last slot for STOP.
    if (queue.remainingCapacity() <= 1 || !queue.offer(p)) {
      return null;
    }
    return p.result;
  }

  private void loop() {
    while (true) {
      Pending first;
      try {
        first = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (first == STOP) {
        return;
      }
      List<Pending> batch = new ArrayList<>();
      batch.add(first);
      int texts = first.texts.size();
      long deadline = System.nanoTime() + maxWaitNanos;
      boolean stop = false;
      while (texts < maxBatch) {
        Pending next;
        try {
          long left = deadline - System.nanoTime();
          next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
        } catch (InterruptedException e) {
          next = null;
          stop = true;
        }
        if (next == null) {
          break;
        }
        if (next == STOP) {
          stop = true;
          break;
        }
        batch.add(next);
        texts += next.texts.size();
      }
      run(batch);
      if (stop) {
        return;
      }
    }
  }

  private void run(List<Pending> batch) {
    // A request whose client gave up (timed out) is not computed.
    batch.removeIf(p -> p.result.isDone());
    if (batch.isEmpty()) {
      return;
    }
    List<String> all = new ArrayList<>();
    for (Pending p : batch) {
      all.addAll(p.texts);
    }
    try {
      float[][] vectors = embed.embed(all);
      batchDone.accept(all.size());
      int at = 0;
      for (Pending p : batch) {
        float[][] mine = new float[p.texts.size()][];
        System.arraycopy(vectors, at, mine, 0, mine.length);
        at += mine.length;
        p.result.complete(mine);
      }
    } catch (RuntimeException | Error e) {
      for (Pending p : batch) {
        p.result.completeExceptionally(e);
      }
    }
  }

  /** Finishes the requests already queued, then stops the thread. */
  @Override
  public void close() {
    try {
      queue.put(STOP);
      thread.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
