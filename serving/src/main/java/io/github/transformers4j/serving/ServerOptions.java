package io.github.transformers4j.serving;

/**
 * How {@code t4j serve} listens and schedules work.
 *
 * @param host the address to bind (127.0.0.1 by default: not reachable from other machines)
 * @param port the port; 0 picks a free one
 * @param workers generations that run at once, each with its own KV cache
 * @param queue requests that may wait for a worker (per pool) or a micro-batch (per embedding
 *     model) before the server answers 429
 * @param batchSize the most texts the embedding micro-batcher puts in one forward pass
 * @param batchWaitMillis how long the micro-batcher waits for more texts after the first
 * @param timeoutSeconds the most a request may take from arrival to answer (queue included)
 * @param pooling how embeddings pool token vectors: {@code mean} or {@code cls}, as {@code t4j
 *     embed --pooling}
 * @param normalize whether embeddings are L2-normalized (as {@code t4j embed} without {@code
 *     --no-normalize})
 */
public record ServerOptions(
    String host,
    int port,
    int workers,
    int queue,
    int batchSize,
    long batchWaitMillis,
    long timeoutSeconds,
    String pooling,
    boolean normalize) {

  /** Checks every field, naming the option at fault. */
  public ServerOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("--host must name an address, got '" + host + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be in 0..65535 (0 picks a free port), got " + port);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
    }
    if (queue < 1) {
      throw new IllegalArgumentException("--queue must be >= 1, got " + queue);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
    }
    if (batchWaitMillis < 0) {
      throw new IllegalArgumentException("--batch-wait-ms must be >= 0, got " + batchWaitMillis);
    }
    if (timeoutSeconds < 1) {
      throw new IllegalArgumentException("--timeout must be >= 1 second, got " + timeoutSeconds);
    }
    if (!"mean".equals(pooling) && !"cls".equals(pooling)) {
      throw new IllegalArgumentException("--pooling must be mean or cls, got '" + pooling + "'");
    }
  }

  /**
   * The defaults of {@code t4j serve}: 127.0.0.1:8080, 2 generation workers, a queue of 64,
   * micro-batches of up to 32 texts gathered for 5 ms, 60 s per request, mean pooling,
   * normalized.
   */
  public static ServerOptions defaults() {
    return new ServerOptions("127.0.0.1", 8080, 2, 64, 32, 5, 60, "mean", true);
  }

  /** These options on {@code port}. */
  public ServerOptions withPort(int p) {
    return new ServerOptions(host, p, workers, queue, batchSize, batchWaitMillis, timeoutSeconds, pooling, normalize);
  }

  /** These options with the given micro-batching. */
  public ServerOptions withBatching(int size, long waitMillis) {
    return new ServerOptions(host, port, workers, queue, size, waitMillis, timeoutSeconds, pooling, normalize);
  }

  /** These options with {@code w} workers and a queue of {@code q}. */
  public ServerOptions withWorkers(int w, int q) {
    return new ServerOptions(host, port, w, q, batchSize, batchWaitMillis, timeoutSeconds, pooling, normalize);
  }

  /** These options with a timeout of {@code seconds}. */
  public ServerOptions withTimeout(long seconds) {
    return new ServerOptions(host, port, workers, queue, batchSize, batchWaitMillis, seconds, pooling, normalize);
  }
}
