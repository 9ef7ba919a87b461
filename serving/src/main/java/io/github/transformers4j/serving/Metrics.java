package io.github.transformers4j.serving;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.IntSupplier;

/**
 * The server's counters, written in Prometheus' text exposition format (version 0.0.4) for {@code
 * GET /metrics}: requests by endpoint and status, a latency histogram per endpoint, prompt and
 * generated tokens, generation time (so {@code rate(tokens)/rate(seconds)} is tokens/s) and the
 * last generation's tokens/s, embedded texts and micro-batches, and the queue depths at scrape
 * time. A dozen series need no library.
 */
public final class Metrics {
  /** Upper bounds of the latency buckets, seconds. */
  static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  private static final class Histogram {
    final AtomicLongArray counts = new AtomicLongArray(BUCKETS.length + 1);
    final DoubleAdder sum = new DoubleAdder();

    void observe(double seconds) {
      int i = 0;
      while (i < BUCKETS.length && seconds > BUCKETS[i]) {
        i++;
      }
      counts.incrementAndGet(i);
      sum.add(seconds);
    }
  }

  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final AtomicLong promptTokens = new AtomicLong();
  private final AtomicLong generatedTokens = new AtomicLong();
  private final DoubleAdder generationSeconds = new DoubleAdder();
  private volatile double lastTokensPerSecond;
  private final AtomicLong embeddedTexts = new AtomicLong();
  private final AtomicLong embeddingBatches = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Map<String, IntSupplier> gauges = new ConcurrentHashMap<>();

  /** One finished request: its endpoint, HTTP status and wall time. */
  public void request(String endpoint, int status, double seconds) {
    requests
        .computeIfAbsent(endpoint + "\u0000" + status, k -> new AtomicLong())
        .incrementAndGet();
    latency.computeIfAbsent(endpoint, k -> new Histogram()).observe(seconds);
    if (status == 429) {
      rejected.incrementAndGet();
    }
  }

  /** One finished generation: its prompt and new tokens and the time spent generating. */
  public void generation(int prompt, int generated, double seconds) {
    promptTokens.addAndGet(prompt);
    generatedTokens.addAndGet(generated);
    generationSeconds.add(seconds);
    if (seconds > 0) {
      lastTokensPerSecond = generated / seconds;
    }
  }

  /** One forward pass of the embedding micro-batcher over {@code texts} texts. */
  public void embeddingBatch(int texts) {
    embeddingBatches.incrementAndGet();
    embeddedTexts.addAndGet(texts);
  }

  /** Input tokens of an embedding request. */
  public void embeddingTokens(int tokens) {
    promptTokens.addAndGet(tokens);
  }

  /** A gauge read at scrape time, e.g. a queue's depth. */
  public void gauge(String labelValue, IntSupplier value) {
    gauges.put(labelValue, value);
  }

  /** The exposition text. */
  public String scrape() {
    StringBuilder b = new StringBuilder();
    b.append("# HELP t4j_requests_total HTTP requests answered, by endpoint and status.\n");
    b.append("# TYPE t4j_requests_total counter\n");
    for (Map.Entry<String, AtomicLong> e : new TreeMap<>(requests).entrySet()) {
      String[] k = e.getKey().split("\u0000");
      b.append("t4j_requests_total{endpoint=\"").append(k[0]).append("\",status=\"").append(k[1])
          .append("\"} ").append(e.getValue().get()).append('\n');
    }
    b.append("# HELP t4j_request_duration_seconds Time from request to the last byte of the answer.\n");
    b.append("# TYPE t4j_request_duration_seconds histogram\n");
    for (Map.Entry<String, Histogram> e : new TreeMap<>(latency).entrySet()) {
      Histogram h = e.getValue();
      long cumulative = 0;
      for (int i = 0; i <= BUCKETS.length; i++) {
        cumulative += h.counts.get(i);
        String le = i < BUCKETS.length ? Double.toString(BUCKETS[i]) : "+Inf";
        b.append("t4j_request_duration_seconds_bucket{endpoint=\"").append(e.getKey())
            .append("\",le=\"").append(le).append("\"} ").append(cumulative).append('\n');
      }
      b.append("t4j_request_duration_seconds_sum{endpoint=\"").append(e.getKey()).append("\"} ")
          .append(h.sum.sum()).append('\n');
      b.append("t4j_request_duration_seconds_count{endpoint=\"").append(e.getKey()).append("\"} ")
          .append(cumulative).append('\n');
    }
    counter(b, "t4j_prompt_tokens_total", "Input tokens of generations and embeddings.", promptTokens.get());
    counter(b, "t4j_generated_tokens_total", "Tokens generated.", generatedTokens.get());
    b.append("# HELP t4j_generation_seconds_total Time spent generating (tokens/s = rate of tokens over rate of this).\n");
    b.append("# TYPE t4j_generation_seconds_total counter\n");
    b.append("t4j_generation_seconds_total ").append(generationSeconds.sum()).append('\n');
    b.append("# HELP t4j_tokens_per_second Generated tokens per second of the last finished generation.\n");
    b.append("# TYPE t4j_tokens_per_second gauge\n");
    b.append("t4j_tokens_per_second ").append(lastTokensPerSecond).append('\n');
    counter(b, "t4j_embedded_texts_total", "Texts embedded.", embeddedTexts.get());
    counter(b, "t4j_embedding_batches_total", "Forward passes of the embedding micro-batcher.", embeddingBatches.get());
    counter(b, "t4j_rejected_total", "Requests answered 429 because the queue was full.", rejected.get());
    b.append("# HELP t4j_queue_depth Requests waiting for a worker or a micro-batch, at scrape time.\n");
    b.append("# TYPE t4j_queue_depth gauge\n");
    for (Map.Entry<String, IntSupplier> e : new TreeMap<>(gauges).entrySet()) {
      b.append("t4j_queue_depth{queue=\"").append(e.getKey()).append("\"} ")
          .append(e.getValue().getAsInt()).append('\n');
    }
    return b.toString();
  }

  private static void counter(StringBuilder b, String name, String help, long value) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(" counter\n");
    b.append(name).append(' ').append(value).append('\n');
  }
}
