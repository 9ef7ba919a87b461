package io.github.transformers4j.serving;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.chat.ChatTemplate;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.HfGenerationSettings;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.tasks.TextGeneration;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An OpenAI-compatible HTTP server over model folders: {@code GET /v1/models}, {@code POST
 * /v1/embeddings} (BERT-family and CLIP folders), {@code POST /v1/completions} and {@code POST
 * /v1/chat/completions} (decoders and encoder-decoders; streaming as server-sent events ending
 * with {@code [DONE]}), {@code GET /health} and {@code GET /metrics} (Prometheus text).
 *
 * <p>Threads: the HTTP server's own pool parses requests and writes answers; embeddings go
 * through one {@link MicroBatcher} per model; generations run on a fixed pool of {@code workers}
 * threads, each with its own decoding session over the shared, read-only model. Both queues are
 * bounded (429 when full), every request has a deadline (504 when passed), and {@link #close}
 * lets the requests in flight finish before it returns.
 *
 * <pre>{@code
 * try (OpenAiServer s = OpenAiServer.start(new Ops(backend), List.of(dir), WeightPrecision.F32,
 *     ServerOptions.defaults().withPort(0))) {
 *   System.out.println("listening on " + s.url());
 * }
 * }</pre>
 */
public final class OpenAiServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(OpenAiServer.class.getName());
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
  private static final int MAX_BODY = 16 << 20;
  private static final int MAX_N = 16;

  private final ServerOptions options;
  private final ModelCatalog catalog;
  private final Metrics metrics;
  private final HttpServer http;
  private final ExecutorService httpPool;
  private final ThreadPoolExecutor workers;
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean draining;
  private final AtomicInteger inFlight = new AtomicInteger();
  private boolean closed;
  // Runs on the worker before each generation: tests hold jobs here to fill the queue, pass a
  // deadline or shut down with work in flight.
  volatile Runnable beforeJob = () -> {};

  private OpenAiServer(ServerOptions options, ModelCatalog catalog, Metrics metrics) throws IOException {
    this.options = options;
    this.catalog = catalog;
    this.metrics = metrics;
    AtomicInteger httpThreads = new AtomicInteger();
    // Unbounded, short-lived handler threads: a request the queues cannot take is answered 429
    // at once instead of waiting unanswered for a handler thread.
    this.httpPool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "t4j-http-" + httpThreads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    AtomicInteger workerThreads = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            options.workers(), options.workers(), 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(options.queue()),
            r -> {
              Thread t = new Thread(r, "t4j-generate-" + workerThreads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    metrics.gauge("generation", () -> workers.getQueue().size());
    this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
    http.createContext("/", this::handle);
    http.setExecutor(httpPool);
    http.start();
  }

  /**
   * Loads {@code models} (each folder served under its name) and starts listening.
   *
   * @throws IllegalArgumentException naming a folder that cannot be served
   * @throws IOException when a file cannot be read or the address cannot be bound
   */
  public static OpenAiServer start(
      Ops ops, List<Path> models, WeightPrecision precision, ServerOptions options) throws IOException {
    Metrics metrics = new Metrics();
    ModelCatalog catalog = ModelCatalog.load(ops, models, precision, options, metrics);
    try {
      return new OpenAiServer(options, catalog, metrics);
    } catch (java.net.BindException e) {
      catalog.close();
      throw new IOException(
          "cannot listen on " + options.host() + ":" + options.port() + " (" + e.getMessage()
              + "); choose another --port, or --port 0 for a free one", e);
    } catch (IOException | RuntimeException e) {
      catalog.close();
      throw e;
    }
  }

  /** The port listened on (the one chosen when started with port 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** {@code http://HOST:PORT}. */
  public String url() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return "http://" + host + ":" + port();
  }

  /** The served model names. */
  public List<String> models() {
    return catalog.names();
  }

  /**
   * Stops accepting connections, lets the requests in flight finish (at most the request
   * timeout), then stops the workers and the micro-batchers.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // New requests now get 503. HttpServer.stop(delay) waits for exchanges itself, but before JDK
    // 21 it always sleeps the whole delay (JDK-8304065), so the server counts its own.
    draining = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.timeoutSeconds() + 1);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    http.stop(0);
    workers.shutdown();
    try {
      workers.awaitTermination(options.timeoutSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
    catalog.close();
    httpPool.shutdownNow();
  }

  // ---- Dispatch ----

  /** What one exchange has sent, so a failure after the headers is not answered twice. */
  private static final class Reply {
    final HttpExchange ex;
    int status;
    boolean headersSent;

    Reply(HttpExchange ex) {
      this.ex = ex;
    }
  }

  private void handle(HttpExchange ex) {
    inFlight.incrementAndGet();
    long t0 = System.nanoTime();
    String path = ex.getRequestURI().getPath();
    Reply reply = new Reply(ex);
    try {
      if (draining) {
        throw new ApiError(503, "server_error", "the server is shutting down", null, null);
      }
      route(reply, ex.getRequestMethod(), path);
    } catch (ApiError e) {
      sendError(reply, e);
    } catch (Throwable t) {
      LOG.log(Level.SEVERE, "request " + ex.getRequestMethod() + " " + path + " failed", t);
      String m = t.getMessage();
      sendError(reply, new ApiError(500, "server_error",
          "the server failed on this request" + (m == null ? "" : ": " + m), null, null));
    } finally {
      ex.close();
      metrics.request(endpoint(path), reply.status, (System.nanoTime() - t0) / 1e9);
      inFlight.decrementAndGet();
    }
  }

  // Metrics label: the known routes, everything else as "other" (no label per unknown path).
  private static String endpoint(String path) {
    for (String p : List.of("/v1/embeddings", "/v1/completions", "/v1/chat/completions",
        "/v1/models", "/health", "/metrics")) {
      if (path.equals(p) || (p.equals("/v1/models") && path.startsWith("/v1/models/"))) {
        return p;
      }
    }
    return "other";
  }

  private void route(Reply r, String method, String path) throws IOException {
    String route = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    switch (route) {
      case "/health" -> {
        requireMethod(method, "GET", route);
        JsonObject o = new JsonObject();
        o.addProperty("status", "ok");
        o.add("models", GSON.toJsonTree(catalog.names()));
        sendJson(r, 200, o);
      }
      case "/metrics" -> {
        requireMethod(method, "GET", route);
        send(r, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8));
      }
      case "/v1/models" -> {
        requireMethod(method, "GET", route);
        JsonArray data = new JsonArray();
        for (String name : catalog.names()) {
          data.add(modelJson(name));
        }
        JsonObject o = new JsonObject();
        o.addProperty("object", "list");
        o.add("data", data);
        sendJson(r, 200, o);
      }
      case "/v1/embeddings" -> {
        requireMethod(method, "POST", route);
        embeddings(r, body(r.ex));
      }
      case "/v1/completions" -> {
        requireMethod(method, "POST", route);
        completions(r, body(r.ex), false);
      }
      case "/v1/chat/completions" -> {
        requireMethod(method, "POST", route);
        completions(r, body(r.ex), true);
      }
      default -> {
        if (route.startsWith("/v1/models/")) {
          requireMethod(method, "GET", route);
          String name = route.substring("/v1/models/".length());
          if (!catalog.names().contains(name)) {
            throw ApiError.unknownModel(name, catalog.names());
          }
          sendJson(r, 200, modelJson(name));
          return;
        }
        throw new ApiError(404, "invalid_request_error",
            "no endpoint " + method + " " + path + "; this server has GET /v1/models, POST"
                + " /v1/embeddings, POST /v1/completions, POST /v1/chat/completions, GET /health,"
                + " GET /metrics", null, "unknown_url");
      }
    }
  }

  private static void requireMethod(String method, String want, String path) {
    if (!want.equals(method)) {
      throw new ApiError(405, "invalid_request_error",
          path + " takes " + want + ", not " + method, null, "method_not_allowed");
    }
  }

  private static JsonObject modelJson(String name) {
    JsonObject m = new JsonObject();
    m.addProperty("id", name);
    m.addProperty("object", "model");
    m.addProperty("created", 0);
    m.addProperty("owned_by", "transformers4j");
    return m;
  }

  private static JsonObject body(HttpExchange ex) throws IOException {
    byte[] bytes;
    try (InputStream in = ex.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY + 1);
    }
    if (bytes.length > MAX_BODY) {
      throw new ApiError(413, "invalid_request_error",
          "the request body is larger than " + (MAX_BODY >> 20) + " MiB", null, null);
    }
    JsonElement e;
    try {
      e = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
    } catch (JsonParseException x) {
      String m = x.getCause() != null && x.getCause().getMessage() != null ? x.getCause().getMessage() : x.getMessage();
      throw ApiError.invalid(null, "the request body is not valid JSON: " + m);
    }
    if (!e.isJsonObject()) {
      throw ApiError.invalid(null, "the request body must be a JSON object, got " + (bytes.length == 0 ? "nothing" : e));
    }
    return e.getAsJsonObject();
  }

  private long deadline() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
  }

  private ApiError timedOut() {
    return new ApiError(504, "timeout_error",
        "the request did not finish within " + options.timeoutSeconds() + " s (t4j serve --timeout)",
        null, "timeout");
  }

  private static ApiError full(String what) {
    return new ApiError(429, "rate_limit_error",
        "the " + what + " queue is full; retry later (t4j serve --queue sets its size)",
        null, "rate_limit_exceeded");
  }

  // ---- Embeddings ----

  private void embeddings(Reply r, JsonObject body) throws IOException {
    long deadline = deadline();
    String name = Fields.string(body, "model");
    ServedEmbedder e = catalog.embedder(name);
    if (e == null) {
      if (catalog.generator(name) != null) {
        throw ApiError.invalid("model", "the model '" + name + "' generates text; embeddings come"
            + " from embedding models (served here: " + embedderNames() + ")");
      }
      throw ApiError.unknownModel(name, catalog.names());
    }
    List<String> texts = new ArrayList<>();
    JsonElement input = body.get("input");
    if (input == null || input.isJsonNull()) {
      throw ApiError.invalid("input", "'input' is required: a string or an array of strings");
    }
    if (input.isJsonPrimitive() && input.getAsJsonPrimitive().isString()) {
      texts.add(input.getAsString());
    } else if (input.isJsonArray()) {
      for (JsonElement x : input.getAsJsonArray()) {
        if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
          throw ApiError.invalid("input", "'input' must be a string or an array of strings; token"
              + " ids are not accepted for embeddings, got an element " + x);
        }
        texts.add(x.getAsString());
      }
    } else {
      throw ApiError.invalid("input", "'input' must be a string or an array of strings, got " + input);
    }
    if (texts.isEmpty()) {
      throw ApiError.invalid("input", "'input' is an empty array; give at least one text");
    }
    String format = "float";
    if (Fields.present(body, "encoding_format")) {
      format = Fields.string(body, "encoding_format");
      if (!format.equals("float") && !format.equals("base64")) {
        throw ApiError.invalid("encoding_format", "'encoding_format' must be float or base64, got '" + format + "'");
      }
    }
    if (Fields.present(body, "dimensions")) {
      long d = Fields.integer(body, "dimensions", e.dimensions(), 1, Integer.MAX_VALUE);
      if (d != e.dimensions()) {
        throw ApiError.invalid("dimensions", "the model '" + name + "' gives vectors of "
            + e.dimensions() + " dimensions and cannot shorten them; got 'dimensions' " + d);
      }
    }
    int tokens = 0;
    for (int i = 0; i < texts.size(); i++) {
      int n = e.embedding().countTokens(texts.get(i));
      if (n > e.maxTokens()) {
        throw ApiError.invalid("input", "input " + i + " has " + n + " tokens but the model '"
            + name + "' takes at most " + e.maxTokens());
      }
      tokens += n;
    }
    CompletableFuture<float[][]> f = e.batcher().submit(texts);
    if (f == null) {
      throw full("embedding");
    }
    float[][] vectors;
    try {
      vectors = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException x) {
      f.cancel(false);
      throw timedOut();
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      throw timedOut();
    } catch (ExecutionException x) {
      Throwable c = x.getCause();
      if (c instanceof IllegalArgumentException) {
        throw ApiError.invalid("input", c.getMessage());
      }
      throw new ApiError(500, "server_error", "the embedding failed: " + c.getMessage(), null, null);
    }
    metrics.embeddingTokens(tokens);
    JsonArray data = new JsonArray();
    for (int i = 0; i < vectors.length; i++) {
      JsonObject d = new JsonObject();
      d.addProperty("object", "embedding");
      d.addProperty("index", i);
      if (format.equals("base64")) {
        ByteBuffer b = ByteBuffer.allocate(vectors[i].length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vectors[i]) {
          b.putFloat(v);
        }
        d.addProperty("embedding", Base64.getEncoder().encodeToString(b.array()));
      } else {
        JsonArray v = new JsonArray(vectors[i].length);
        for (float x : vectors[i]) {
          v.add(x);
        }
        d.add("embedding", v);
      }
      data.add(d);
    }
    JsonObject o = new JsonObject();
    o.addProperty("object", "list");
    o.add("data", data);
    o.addProperty("model", name);
    JsonObject usage = new JsonObject();
    usage.addProperty("prompt_tokens", tokens);
    usage.addProperty("total_tokens", tokens);
    o.add("usage", usage);
    sendJson(r, 200, o);
  }

  private String embedderNames() {
    List<String> out = new ArrayList<>();
    for (String n : catalog.names()) {
      if (catalog.embedder(n) != null) {
        out.add(n);
      }
    }
    return out.isEmpty() ? "none" : String.join(", ", out);
  }

  // ---- Completions and chat completions ----

  private void completions(Reply r, JsonObject body, boolean chat) throws IOException {
    long deadline = deadline();
    String name = Fields.string(body, "model");
    ServedGenerator g = catalog.generator(name);
    if (g == null) {
      if (catalog.embedder(name) != null) {
        throw ApiError.invalid("model", "the model '" + name + "' is an embedding model; it does"
            + " not generate text (use /v1/embeddings)");
      }
      throw ApiError.unknownModel(name, catalog.names());
    }
    if (g.tokenizer() == null) {
      throw ApiError.invalid("model", "the model '" + name + "' has no tokenizer this library"
          + " reads (" + g.tokenizerProblem() + "), so it cannot answer with text");
    }
    // Options this server does not implement are refused unless neutral, never ignored.
    JsonPrimitive zero = new JsonPrimitive(0);
    Fields.unsupported(body, "logprobs", "log-probabilities are not returned", JsonNull.INSTANCE,
        new JsonPrimitive(false), zero);
    Fields.unsupported(body, "top_logprobs", "log-probabilities are not returned", zero);
    Fields.unsupported(body, "presence_penalty", "the generator has no presence penalty", zero);
    Fields.unsupported(body, "frequency_penalty", "the generator has no frequency penalty", zero);
    Fields.unsupported(body, "logit_bias", "the generator has no logit bias", new JsonObject());
    Fields.unsupported(body, "suffix", "insertion is not supported", new JsonPrimitive(""));
    Fields.unsupported(body, "tools", "tool calls are not supported", new JsonArray());
    int n = (int) Fields.integer(body, "n", 1, 1, MAX_N);
    if (Fields.present(body, "best_of")) {
      long bestOf = Fields.integer(body, "best_of", n, 1, MAX_N);
      if (bestOf != n) {
        throw ApiError.invalid("best_of", "'best_of' other than n is not supported by this server");
      }
    }
    double temperature = Fields.real(body, "temperature", 1.0, 0, 2, false);
    double topP = Fields.real(body, "top_p", 1.0, 0, 1, true);
    long seed = Fields.integer(body, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
    boolean stream = Fields.bool(body, "stream", false);
    boolean echo = !chat && Fields.bool(body, "echo", false);
    boolean includeUsage = false;
    if (Fields.present(body, "stream_options")) {
      if (!body.get("stream_options").isJsonObject()) {
        throw ApiError.invalid("stream_options", "'stream_options' must be an object");
      }
      includeUsage = Fields.bool(body.getAsJsonObject("stream_options"), "include_usage", false);
    }
    List<String> stops = stops(body);
    List<GenerationJob.Prompt> prompts = chat ? List.of(chatPrompt(g, body)) : prompts(g, body);
    String maxField = chat && Fields.present(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    boolean maxGiven = Fields.present(body, maxField);
    long maxTokens = Fields.integer(body, maxField, -1, 0, Integer.MAX_VALUE);
    int budget = Integer.MAX_VALUE;
    for (GenerationJob.Prompt p : prompts) {
      int room;
      try {
        room = TextGeneration.room(g.model(), p.ids().length);
      } catch (IllegalArgumentException e) {
        throw ApiError.invalid(chat ? "messages" : "prompt", e.getMessage() + " (model '" + name + "')");
      }
      if (maxGiven && maxTokens > room) {
        throw ApiError.invalid(maxField, "'" + maxField + "' " + maxTokens + " is more than the "
            + room + " new tokens the model '" + name + "' has room for after a prompt of "
            + p.ids().length + " tokens");
      }
      budget = Math.min(budget, room);
    }
    // OpenAI's defaults: 16 tokens for completions, the rest of the context for chat.
    int fresh = (int) (maxGiven ? maxTokens : chat ? budget : Math.min(16, budget));
    GenerationConfig config = decoding(g, temperature, topP, seed, fresh);
    GenerationJob job = new GenerationJob(g, prompts, n, config, stops, echo, metrics);
    try {
      workers.execute(() -> {
        beforeJob.run();
        job.run();
      });
    } catch (RejectedExecutionException e) {
      throw full("generation");
    }
    String id = (chat ? "chatcmpl-" : "cmpl-") + ids.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    int choices = prompts.size() * n;
    if (stream) {
      stream(r, job, chat, id, created, name, choices, includeUsage, deadline);
    } else {
      answer(r, job, chat, id, created, name, choices, deadline);
    }
  }

  /**
   * The decoding {@code t4j generate} uses for the same settings: the folder's generation
   * settings, then greedy for temperature 0 ({@code --greedy}), else sampling over the whole
   * vocabulary ({@code --top-k 0}) with the temperature, top-p and seed.
   */
  static GenerationConfig decoding(ServedGenerator g, double temperature, double topP, long seed, int fresh) {
    GenerationConfig c = g.settings();
    if (temperature == 0) {
      c = HfGenerationSettings.greedy(c);
    } else {
      c = HfGenerationSettings.sampling(c)
          .withTemperature((float) temperature)
          .withTopK(0)
          .withTopP((float) topP);
    }
    return c.withSeed(seed).withMaxNewTokens(fresh).withMaxLength(0);
  }

  private static List<String> stops(JsonObject body) {
    List<String> out = new ArrayList<>();
    if (!Fields.present(body, "stop")) {
      return out;
    }
    JsonElement s = body.get("stop");
    if (s.isJsonPrimitive() && s.getAsJsonPrimitive().isString()) {
      out.add(s.getAsString());
    } else if (s.isJsonArray()) {
      for (JsonElement x : s.getAsJsonArray()) {
        if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
          throw ApiError.invalid("stop", "'stop' must be a string or an array of strings, got " + s);
        }
        out.add(x.getAsString());
      }
    } else {
      throw ApiError.invalid("stop", "'stop' must be a string or an array of strings, got " + s);
    }
    if (out.size() > 4) {
      throw ApiError.invalid("stop", "'stop' takes at most 4 sequences, got " + out.size());
    }
    out.removeIf(String::isEmpty);
    return out;
  }

  // prompt: a string, an array of strings, an array of token ids, or an array of such arrays.
  private static List<GenerationJob.Prompt> prompts(ServedGenerator g, JsonObject body) {
    JsonElement p = body.get("prompt");
    if (p == null || p.isJsonNull()) {
      throw ApiError.invalid("prompt", "'prompt' is required: text, an array of texts, token ids"
          + " or an array of token-id arrays");
    }
    List<GenerationJob.Prompt> out = new ArrayList<>();
    if (p.isJsonPrimitive() && p.getAsJsonPrimitive().isString()) {
      out.add(textPrompt(g, p.getAsString()));
    } else if (p.isJsonArray() && !p.getAsJsonArray().isEmpty()) {
      JsonArray a = p.getAsJsonArray();
      JsonElement first = a.get(0);
      if (first.isJsonPrimitive() && first.getAsJsonPrimitive().isNumber()) {
        out.add(idPrompt(g, a));
      } else {
        for (JsonElement x : a) {
          if (x.isJsonPrimitive() && x.getAsJsonPrimitive().isString()) {
            out.add(textPrompt(g, x.getAsString()));
          } else if (x.isJsonArray()) {
            out.add(idPrompt(g, x.getAsJsonArray()));
          } else {
            throw ApiError.invalid("prompt", "'prompt' elements must be texts or token-id arrays, got " + x);
          }
        }
      }
    } else {
      throw ApiError.invalid("prompt", "'prompt' must be text, an array of texts, token ids or an"
          + " array of token-id arrays, got " + p);
    }
    return out;
  }

  private static GenerationJob.Prompt textPrompt(ServedGenerator g, String text) {
    int[] ids = g.tokenizer().encodeIds(text);
    if (ids.length == 0) {
      throw ApiError.invalid("prompt", "the prompt is empty (no tokens); a decoder needs a first token");
    }
    return new GenerationJob.Prompt(ids, text);
  }

  private static GenerationJob.Prompt idPrompt(ServedGenerator g, JsonArray a) {
    if (a.isEmpty()) {
      throw ApiError.invalid("prompt", "a token-id prompt is empty");
    }
    int[] ids = new int[a.size()];
    for (int i = 0; i < ids.length; i++) {
      java.math.BigDecimal v = Fields.number(a.get(i));
      long id;
      try {
        id = v == null ? -1 : v.longValueExact();
      } catch (ArithmeticException x) {
        id = -1;
      }
      if (v == null || id < 0 || id >= g.vocab()) {
        throw ApiError.invalid("prompt", "prompt token " + a.get(i) + " is not an id of the"
            + " vocabulary of " + g.vocab());
      }
      ids[i] = (int) id;
    }
    return new GenerationJob.Prompt(ids, g.tokenizer().decodeIds(ids, false));
  }

  private static GenerationJob.Prompt chatPrompt(ServedGenerator g, JsonObject body) {
    if (g.template() == null) {
      throw new ApiError(400, "invalid_request_error",
          "the model '" + g.name() + "' has no usable chat template (" + g.templateProblem()
              + "); use /v1/completions with a prompt", "messages", "no_chat_template");
    }
    JsonElement m = body.get("messages");
    if (m == null || !m.isJsonArray() || m.getAsJsonArray().isEmpty()) {
      throw ApiError.invalid("messages", "'messages' must be a non-empty array of {role, content}");
    }
    List<Object> messages = new ArrayList<>();
    int i = 0;
    for (JsonElement e : m.getAsJsonArray()) {
      if (!e.isJsonObject()) {
        throw ApiError.invalid("messages", "messages[" + i + "] must be an object, got " + e);
      }
      JsonObject o = e.getAsJsonObject();
      Map<String, Object> msg = new LinkedHashMap<>();
      msg.put("role", Fields.string(o, "role"));
      msg.put("content", content(o.get("content"), i));
      messages.add(msg);
      i++;
    }
    String text;
    try {
      text = g.template().render(messages, true);
    } catch (ChatTemplate.TemplateException e) {
      throw ApiError.invalid("messages", e.getMessage());
    }
    int[] ids = g.tokenizer().encodeIds(text);
    if (ids.length == 0) {
      throw ApiError.invalid("messages", "the chat template rendered no tokens");
    }
    return new GenerationJob.Prompt(ids, text);
  }

  // content: a string, null, or an array of {"type": "text", "text": ...} parts.
  private static String content(JsonElement c, int i) {
    if (c == null || c.isJsonNull()) {
      return "";
    }
    if (c.isJsonPrimitive() && c.getAsJsonPrimitive().isString()) {
      return c.getAsString();
    }
    if (c.isJsonArray()) {
      StringBuilder b = new StringBuilder();
      for (JsonElement part : c.getAsJsonArray()) {
        if (!part.isJsonObject() || !"text".equals(text(part.getAsJsonObject().get("type")))) {
          throw ApiError.invalid("messages", "messages[" + i + "].content: only text parts are"
              + " supported, got " + part);
        }
        b.append(text(part.getAsJsonObject().get("text")));
      }
      return b.toString();
    }
    throw ApiError.invalid("messages", "messages[" + i + "].content must be text, got " + c);
  }

  private static String text(JsonElement e) {
    return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
  }

  private GenerationJob.Event next(GenerationJob job, long deadline) {
    try {
      GenerationJob.Event e = job.events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (e == null) {
        job.cancel();
        throw timedOut();
      }
      return e;
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      job.cancel();
      throw timedOut();
    }
  }

  private void answer(
      Reply r, GenerationJob job, boolean chat, String id, long created, String model, int choices,
      long deadline) throws IOException {
    StringBuilder[] texts = new StringBuilder[choices];
    String[] reasons = new String[choices];
    for (int i = 0; i < choices; i++) {
      texts[i] = new StringBuilder();
    }
    while (true) {
      GenerationJob.Event e = next(job, deadline);
      if (e instanceof GenerationJob.Piece p) {
        texts[p.index()].append(p.text());
      } else if (e instanceof GenerationJob.Finish f) {
        reasons[f.index()] = f.reason();
      } else if (e instanceof GenerationJob.Failed f) {
        throw f.error();
      } else if (e instanceof GenerationJob.Done d) {
        JsonArray cs = new JsonArray();
        for (int i = 0; i < choices; i++) {
          JsonObject c = new JsonObject();
          c.addProperty("index", i);
          if (chat) {
            JsonObject msg = new JsonObject();
            msg.addProperty("role", "assistant");
            msg.addProperty("content", texts[i].toString());
            c.add("message", msg);
          } else {
            c.addProperty("text", texts[i].toString());
          }
          c.add("logprobs", JsonNull.INSTANCE);
          c.addProperty("finish_reason", reasons[i]);
          cs.add(c);
        }
        JsonObject o = head(chat ? "chat.completion" : "text_completion", id, created, model);
        o.add("choices", cs);
        o.add("usage", usage(d));
        sendJson(r, 200, o);
        return;
      }
    }
  }

  private void stream(
      Reply r, GenerationJob job, boolean chat, String id, long created, String model, int choices,
      boolean includeUsage, long deadline) throws IOException {
    r.ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    r.ex.getResponseHeaders().set("Cache-Control", "no-cache");
    r.ex.sendResponseHeaders(200, 0);
    r.status = 200;
    r.headersSent = true;
    OutputStream out = r.ex.getResponseBody();
    try {
      if (chat) {
        for (int i = 0; i < choices; i++) {
          JsonObject delta = new JsonObject();
          delta.addProperty("role", "assistant");
          delta.addProperty("content", "");
          event(out, chunk(chat, id, created, model, i, delta, null));
        }
      }
      while (true) {
        GenerationJob.Event e;
        try {
          e = next(job, deadline);
        } catch (ApiError timeout) {
          r.status = timeout.status();
          event(out, timeout.toJson());
          break;
        }
        if (e instanceof GenerationJob.Piece p) {
          event(out, chunk(chat, id, created, model, p.index(), p.text(), null));
        } else if (e instanceof GenerationJob.Finish f) {
          event(out, chunk(chat, id, created, model, f.index(), chat ? new JsonObject() : "", f.reason()));
        } else if (e instanceof GenerationJob.Failed f) {
          r.status = f.error().status();
          event(out, f.error().toJson());
          break;
        } else if (e instanceof GenerationJob.Done d) {
          if (includeUsage) {
            JsonObject o = head(chat ? "chat.completion.chunk" : "text_completion", id, created, model);
            o.add("choices", new JsonArray());
            o.add("usage", usage(d));
            event(out, o);
          }
          break;
        }
      }
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException clientLeft) {
      job.cancel();
      r.status = 499; // nginx's "client closed request", for the metrics only
    }
  }

  private static JsonObject chunk(
      boolean chat, String id, long created, String model, int index, Object content, String finish) {
    JsonObject c = new JsonObject();
    c.addProperty("index", index);
    if (chat) {
      JsonObject delta;
      if (content instanceof JsonObject d) {
        delta = d;
      } else {
        delta = new JsonObject();
        delta.addProperty("content", (String) content);
      }
      c.add("delta", delta);
    } else {
      c.addProperty("text", (String) content);
    }
    c.add("logprobs", JsonNull.INSTANCE);
    if (finish == null) {
      c.add("finish_reason", JsonNull.INSTANCE);
    } else {
      c.addProperty("finish_reason", finish);
    }
    JsonObject o = head(chat ? "chat.completion.chunk" : "text_completion", id, created, model);
    JsonArray cs = new JsonArray();
    cs.add(c);
    o.add("choices", cs);
    return o;
  }

  private static JsonObject head(String object, String id, long created, String model) {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("object", object);
    o.addProperty("created", created);
    o.addProperty("model", model);
    return o;
  }

  private static JsonObject usage(GenerationJob.Done d) {
    JsonObject u = new JsonObject();
    u.addProperty("prompt_tokens", d.promptTokens());
    u.addProperty("completion_tokens", d.completionTokens());
    u.addProperty("total_tokens", d.promptTokens() + d.completionTokens());
    return u;
  }

  private static void event(OutputStream out, JsonObject o) throws IOException {
    out.write(("data: " + GSON.toJson(o) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  // ---- Writing ----

  private static void sendJson(Reply r, int status, JsonObject o) throws IOException {
    send(r, status, "application/json", GSON.toJson(o).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(Reply r, int status, String type, byte[] bytes) throws IOException {
    r.ex.getResponseHeaders().set("Content-Type", type);
    r.ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    r.status = status;
    r.headersSent = true;
    try (OutputStream out = r.ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sendError(Reply r, ApiError e) {
    if (r.headersSent) {
      return;
    }
    try {
      sendJson(r, e.status(), e.toJson());
    } catch (IOException clientLeft) {
      r.status = e.status();
    }
  }
}
