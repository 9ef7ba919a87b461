/**
 * {@code t4j serve}'s engine: an OpenAI-compatible HTTP server (embeddings, completions, chat
 * completions, models, health, Prometheus metrics) over the models of this project, with
 * micro-batched embeddings, a worker pool for generations, a bounded queue and timeouts. Built on
 * the JDK's own HTTP server ({@code jdk.httpserver}), so it adds no dependency.
 */
module io.github.transformers4j.serving {
  requires transitive io.github.transformers4j.models;
  requires com.google.gson;
  requires jdk.httpserver;
  requires java.logging;

  exports io.github.transformers4j.serving;
}
