package io.github.transformers4j.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.bert.SentenceEmbedder;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.HfGenerationSettings;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.TextGeneration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server over HTTP with the JDK's client: answers equal the model computed directly, bad
 * requests get OpenAI-style errors, concurrent generations on the shared model equal serial ones,
 * embeddings are micro-batched, a full queue answers 429, a late request 504, and shutdown
 * finishes what is in flight.
 */
class OpenAiServerTest {
  @TempDir static Path dir;
  static ComputeBackend backend;
  static OpenAiServer server;
  static Path gpt2;
  static Path bert;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  // Client threads of their own: the common pool may have a single thread on a small machine.
  static final java.util.concurrent.ExecutorService CLIENTS =
      java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-client");
        t.setDaemon(true);
        return t;
      });

  @BeforeAll
  static void start() throws Exception {
    gpt2 = Fixtures.gpt2(dir, "tiny-gpt2", true);
    bert = Fixtures.bert(dir, "tiny-bert");
    Fixtures.gpt2(dir, "no-template", false);
    backend = Backends.installed().create("cpu", BackendOptions.none());
    server =
        OpenAiServer.start(
            new Ops(backend), List.of(bert, gpt2, dir.resolve("no-template")), WeightPrecision.F32,
            ServerOptions.defaults().withPort(0).withBatching(8, 50).withWorkers(4, 64));
  }

  @AfterAll
  static void stop() {
    server.close();
    backend.close();
  }

  record Answer(int status, String body, String contentType) {
    JsonObject json() {
      return JsonParser.parseString(body).getAsJsonObject();
    }
  }

  static Answer post(OpenAiServer s, String path, String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(s.url() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
  }

  static Answer get(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
  }

  // The continuation computed without the server, as t4j generate computes it.
  static String direct(String prompt, int maxNew, boolean greedy, long seed, float temperature) throws Exception {
    PretrainedModel m = Pretrained.load(new Ops(backend), gpt2, PretrainedModel.class);
    m.train(false, 0);
    TextTokenizer tok = Tokenizers.installed().forName("auto").load(gpt2);
    GenerationConfig g =
        HfGenerationSettings.apply(HfGenerationSettings.defaults(), HfGenerationSettings.read(gpt2), "gen");
    g = greedy
        ? HfGenerationSettings.withBeams(HfGenerationSettings.withSampling(g, false), 1)
        : HfGenerationSettings.withSampling(HfGenerationSettings.withBeams(g, 1), true)
            .withTemperature(temperature).withTopK(0).withTopP(1f);
    g = g.withSeed(seed).withMaxNewTokens(maxNew).withMaxLength(0);
    int[] ids = tok.encodeIds(prompt);
    int[] all = TextGeneration.generate(m, ids, g);
    return tok.decodeIds(Arrays.copyOfRange(all, ids.length, all.length), true);
  }

  static String completion(String prompt, int maxTokens, String extra) throws Exception {
    Answer a = post(server, "/v1/completions",
        "{\"model\": \"tiny-gpt2\", \"prompt\": " + JsonParser.parseString("\"" + prompt + "\"")
            + ", \"max_tokens\": " + maxTokens + extra + "}");
    assertEquals(200, a.status, a.body);
    return a.json().getAsJsonArray("choices").get(0).getAsJsonObject().get("text").getAsString();
  }

  @Test
  void greedyAndSeededCompletionsEqualTheModelRunDirectly() throws Exception {
    for (String prompt : List.of("the quick brown", "hello world")) {
      String greedy = direct(prompt, 12, true, 0, 1f);
      assertEquals(greedy, completion(prompt, 12, ", \"temperature\": 0"), prompt);
      assertEquals(prompt + greedy, completion(prompt, 12, ", \"temperature\": 0, \"echo\": true"));
      String sampled = direct(prompt, 12, false, 42, 0.7f);
      assertEquals(sampled, completion(prompt, 12, ", \"temperature\": 0.7, \"seed\": 42"), prompt);
    }
    assertNotEquals(completion("the quick", 12, ", \"seed\": 1"), completion("the quick", 12, ", \"seed\": 2"),
        "different seeds sample differently");
  }

  @Test
  void usageAndFinishReasonAndChoices() throws Exception {
    Answer a = post(server, "/v1/completions",
        "{\"model\": \"tiny-gpt2\", \"prompt\": [\"the quick\", [5, 6, 7]], \"max_tokens\": 5,"
            + " \"n\": 2, \"seed\": 3}");
    assertEquals(200, a.status, a.body);
    JsonObject o = a.json();
    assertEquals("text_completion", o.get("object").getAsString());
    assertEquals(4, o.getAsJsonArray("choices").size(), "2 prompts x n 2");
    JsonObject usage = o.getAsJsonObject("usage");
    int promptTokens = usage.get("prompt_tokens").getAsInt();
    assertEquals(3 + Tokenizers.installed().forName("auto").load(gpt2).encodeIds("the quick").length,
        promptTokens, "each prompt counted once, whatever n: " + a.body);
    assertEquals(usage.get("total_tokens").getAsInt(), promptTokens + usage.get("completion_tokens").getAsInt());
    for (JsonElement c : o.getAsJsonArray("choices")) {
      String reason = c.getAsJsonObject().get("finish_reason").getAsString();
      assertTrue(reason.equals("length") || reason.equals("stop"), reason);
    }
  }

  @Test
  void stopStringsCutTheTextBeforeThem() throws Exception {
    String prompt = null;
    String full = "";
    for (String p : List.of("the quick brown", "hello world", "a model of", "over http")) {
      full = completion(p, 20, ", \"temperature\": 0");
      prompt = p;
      if (full.length() > 4) {
        break;
      }
    }
    assertTrue(full.length() > 4, "a continuation of 5 characters or more: " + full);
    String stop = full.substring(3, 5);
    Answer a = post(server, "/v1/completions",
        "{\"model\": \"tiny-gpt2\", \"prompt\": \"" + prompt + "\", \"max_tokens\": 20,"
            + " \"temperature\": 0, \"stop\": [" + JsonParser.parseString("\"" + stop + "\"") + "]}");
    JsonObject c = a.json().getAsJsonArray("choices").get(0).getAsJsonObject();
    assertEquals(full.substring(0, full.indexOf(stop)), c.get("text").getAsString());
    assertEquals("stop", c.get("finish_reason").getAsString());
  }

  static List<JsonObject> events(String sse) {
    List<JsonObject> out = new ArrayList<>();
    String[] blocks = sse.split("\n\n");
    assertEquals("data: [DONE]", blocks[blocks.length - 1], "the stream ends with [DONE]: " + sse);
    for (int i = 0; i < blocks.length - 1; i++) {
      assertTrue(blocks[i].startsWith("data: "), blocks[i]);
      out.add(JsonParser.parseString(blocks[i].substring(6)).getAsJsonObject());
    }
    return out;
  }

  @Test
  void streamingSendsTheSameTextAsEventsEndingWithDone() throws Exception {
    String whole = completion("hello world", 15, ", \"temperature\": 0");
    Answer a = post(server, "/v1/completions",
        "{\"model\": \"tiny-gpt2\", \"prompt\": \"hello world\", \"max_tokens\": 15, \"temperature\": 0,"
            + " \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
    assertEquals(200, a.status, a.body);
    assertTrue(a.contentType.startsWith("text/event-stream"), a.contentType);
    StringBuilder text = new StringBuilder();
    String reason = null;
    JsonObject usage = null;
    for (JsonObject e : events(a.body)) {
      if (e.has("usage")) {
        usage = e.getAsJsonObject("usage");
        continue;
      }
      JsonObject c = e.getAsJsonArray("choices").get(0).getAsJsonObject();
      text.append(c.get("text").getAsString());
      if (!c.get("finish_reason").isJsonNull()) {
        reason = c.get("finish_reason").getAsString();
      }
    }
    assertEquals(whole, text.toString());
    assertTrue(reason != null, a.body);
    assertTrue(usage != null && usage.get("completion_tokens").getAsInt() > 0, a.body);
  }

  @Test
  void chatCompletionsRenderTheTemplateAndStream() throws Exception {
    String messages = "[{\"role\": \"user\", \"content\": \"hello\"}]";
    Answer a = post(server, "/v1/chat/completions",
        "{\"model\": \"tiny-gpt2\", \"messages\": " + messages + ", \"max_tokens\": 8, \"temperature\": 0}");
    assertEquals(200, a.status, a.body);
    JsonObject msg = a.json().getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("message");
    assertEquals("assistant", msg.get("role").getAsString());
    // The prompt is the ChatML rendering; its continuation is the plain completion of that text.
    String prompt = "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n";
    assertEquals(direct(prompt, 8, true, 0, 1f), msg.get("content").getAsString());
    Answer s = post(server, "/v1/chat/completions",
        "{\"model\": \"tiny-gpt2\", \"messages\": " + messages + ", \"max_tokens\": 8, \"temperature\": 0,"
            + " \"stream\": true}");
    StringBuilder text = new StringBuilder();
    List<JsonObject> events = events(s.body);
    assertEquals("assistant", events.get(0).getAsJsonArray("choices").get(0).getAsJsonObject()
        .getAsJsonObject("delta").get("role").getAsString());
    for (JsonObject e : events) {
      JsonObject delta = e.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("delta");
      if (delta.has("content")) {
        text.append(delta.get("content").getAsString());
      }
      assertEquals("chat.completion.chunk", e.get("object").getAsString());
    }
    assertEquals(msg.get("content").getAsString(), text.toString());
  }

  @Test
  void embeddingsEqualTheEmbedderAndBase64EqualsFloats() throws Exception {
    List<String> texts = List.of("the quick brown fox", "the lazy dog");
    float[][] want;
    try (ComputeBackend b = Backends.installed().create("cpu", BackendOptions.none())) {
      Ops ops = new Ops(b);
      want = new SentenceEmbedder(ops, Pretrained.load(ops, bert, BertModel.class),
          Tokenizers.installed().forName("auto").load(bert)).embed(texts);
    }
    Answer a = post(server, "/v1/embeddings",
        "{\"model\": \"tiny-bert\", \"input\": [\"the quick brown fox\", \"the lazy dog\"]}");
    assertEquals(200, a.status, a.body);
    JsonArray data = a.json().getAsJsonArray("data");
    for (int i = 0; i < 2; i++) {
      JsonArray v = data.get(i).getAsJsonObject().getAsJsonArray("embedding");
      assertEquals(32, v.size());
      for (int j = 0; j < 32; j++) {
        assertEquals(want[i][j], v.get(j).getAsFloat(), 1e-6, "text " + i + " dim " + j);
      }
    }
    assertEquals((4 + 2) + (3 + 2), a.json().getAsJsonObject("usage").get("prompt_tokens").getAsInt(),
        "[CLS] and [SEP] counted: " + a.body);
    Answer b64 = post(server, "/v1/embeddings",
        "{\"model\": \"tiny-bert\", \"input\": \"the lazy dog\", \"encoding_format\": \"base64\"}");
    byte[] bytes = java.util.Base64.getDecoder().decode(
        b64.json().getAsJsonArray("data").get(0).getAsJsonObject().get("embedding").getAsString());
    java.nio.FloatBuffer f = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (int j = 0; j < 32; j++) {
      assertEquals(want[1][j], f.get(j), 1e-6);
    }
  }

  static void assertError(Answer a, int status, String param, String... words) {
    assertEquals(status, a.status, a.body);
    assertTrue(a.contentType.startsWith("application/json"), a.contentType);
    JsonObject e = a.json().getAsJsonObject("error");
    for (String k : List.of("message", "type", "param", "code")) {
      assertTrue(e.has(k), "error has " + k + ": " + a.body);
    }
    if (param != null) {
      assertEquals(param, e.get("param").getAsString(), a.body);
    }
    for (String w : words) {
      assertTrue(e.get("message").getAsString().contains(w), "'" + w + "' in " + a.body);
    }
    assertFalse(a.body.contains("Exception") || a.body.contains("\tat ") || a.body.contains(".java:"),
        "no stack trace or exception class: " + a.body);
  }

  @Test
  void badRequestsGetOpenAiStyleErrors() throws Exception {
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-gpt2\", \"prompt\": "), 400, null, "not valid JSON");
    assertError(post(server, "/v1/completions", "[1, 2]"), 400, null, "JSON object");
    assertError(post(server, "/v1/completions", "{\"model\": \"gpt-4\", \"prompt\": \"hi\"}"), 404, "model",
        "gpt-4", "tiny-gpt2");
    assertError(post(server, "/v1/embeddings", "{\"model\": \"nope\", \"input\": \"hi\"}"), 404, "model", "nope");
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-gpt2\", \"prompt\": \"hi\", \"max_tokens\": -1}"),
        400, "max_tokens", "0..");
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-gpt2\", \"prompt\": \"hi\", \"max_tokens\": 1000}"),
        400, "max_tokens", "1000", "room for");
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-gpt2\", \"prompt\": \"hi\", \"max_tokens\": 1.5}"),
        400, "max_tokens", "integer");
    String longPrompt = "the quick brown fox jumps over the lazy dog ".repeat(20);
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-gpt2\", \"prompt\": \"" + longPrompt + "\"}"),
        400, "prompt", "at most 64");
    assertError(post(server, "/v1/embeddings",
        "{\"model\": \"tiny-bert\", \"input\": [\"dog\", \"" + "the quick brown fox ".repeat(5) + "\"]}"),
        400, "input", "input 1", "at most " + Fixtures.BERT_POSITIONS);
    assertError(post(server, "/v1/embeddings", "{\"model\": \"tiny-bert\", \"input\": [1, 2]}"), 400, "input");
    assertError(post(server, "/v1/embeddings", "{\"model\": \"tiny-bert\", \"input\": \"dog\", \"dimensions\": 8}"),
        400, "dimensions", "32");
    assertError(post(server, "/v1/embeddings", "{\"model\": \"tiny-gpt2\", \"input\": \"dog\"}"), 400, "model",
        "generates text");
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-bert\", \"prompt\": \"dog\"}"), 400, "model",
        "embedding model");
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-gpt2\", \"prompt\": [5, 999]}"), 400, "prompt",
        "999");
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-gpt2\", \"prompt\": \"hi\", \"temperature\": 3}"),
        400, "temperature");
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-gpt2\", \"prompt\": \"hi\", \"logprobs\": 2}"),
        400, "logprobs", "not supported");
    assertError(post(server, "/v1/completions", "{\"model\": \"tiny-gpt2\", \"prompt\": \"hi\", \"stop\": 3}"),
        400, "stop");
    assertError(post(server, "/v1/chat/completions",
        "{\"model\": \"no-template\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"),
        400, "messages", "no usable chat template", "tokenizer_config.json");
    assertError(post(server, "/v1/chat/completions", "{\"model\": \"tiny-gpt2\", \"messages\": []}"),
        400, "messages");
    assertError(post(server, "/v1/nothing", "{}"), 404, null, "/v1/embeddings");
    assertError(get("/v1/completions"), 405, null, "POST");
  }

  @Test
  void modelsHealthAndMetrics() throws Exception {
    Answer models = get("/v1/models");
    assertEquals(200, models.status);
    List<String> ids = new ArrayList<>();
    models.json().getAsJsonArray("data").forEach(m -> ids.add(m.getAsJsonObject().get("id").getAsString()));
    assertEquals(List.of("tiny-bert", "tiny-gpt2", "no-template"), ids);
    assertEquals("tiny-bert", get("/v1/models/tiny-bert").json().get("id").getAsString());
    assertEquals(404, get("/v1/models/other").status);
    assertEquals("ok", get("/health").json().get("status").getAsString());
    completion("hello", 3, "");
    Answer m = get("/metrics");
    assertTrue(m.contentType.startsWith("text/plain; version=0.0.4"), m.contentType);
    for (String line : List.of(
        "t4j_requests_total{endpoint=\"/v1/completions\",status=\"200\"}",
        "t4j_request_duration_seconds_bucket{endpoint=\"/v1/completions\",le=\"+Inf\"}",
        "t4j_generated_tokens_total ", "t4j_tokens_per_second ",
        "t4j_queue_depth{queue=\"generation\"} 0", "t4j_queue_depth{queue=\"embeddings:tiny-bert\"} 0")) {
      assertTrue(m.body.contains(line), line + " in\n" + m.body);
    }
  }

  @Test
  void concurrentGenerationsOnTheSharedModelEqualSerialOnes() throws Exception {
    List<String> bodies = new ArrayList<>();
    String[] prompts = {"the quick", "hello world", "a model of", "embeddings and", "the lazy dog", "over http"};
    for (int i = 0; i < 12; i++) {
      bodies.add("{\"model\": \"tiny-gpt2\", \"prompt\": \"" + prompts[i % prompts.length] + "\","
          + " \"max_tokens\": 20, " + (i % 2 == 0 ? "\"temperature\": 0" : "\"seed\": " + i) + "}");
    }
    List<String> serial = new ArrayList<>();
    for (String b : bodies) {
      serial.add(post(server, "/v1/completions", b).body.replaceAll("\"(id|created)\":[^,]*,", ""));
    }
    List<CompletableFuture<String>> concurrent = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (String b : bodies) {
      concurrent.add(CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
          return post(server, "/v1/completions", b).body.replaceAll("\"(id|created)\":[^,]*,", "");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, CLIENTS));
    }
    go.countDown();
    for (int i = 0; i < bodies.size(); i++) {
      assertEquals(serial.get(i), concurrent.get(i).get(60, TimeUnit.SECONDS), bodies.get(i));
    }
  }

  @Test
  void concurrentEmbeddingsAreMicroBatchedAndEqualSingleOnes() throws Exception {
    String[] texts = {"the quick brown fox", "the lazy dog", "fox , dog", "brown dog", "quick"};
    List<JsonArray> alone = new ArrayList<>();
    for (String t : texts) {
      alone.add(post(server, "/v1/embeddings", "{\"model\": \"tiny-bert\", \"input\": \"" + t + "\"}")
          .json().getAsJsonArray("data").get(0).getAsJsonObject().getAsJsonArray("embedding"));
    }
    long batchesBefore = metric("t4j_embedding_batches_total");
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Answer>> futures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String t = texts[i % texts.length];
      futures.add(CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
          return post(server, "/v1/embeddings", "{\"model\": \"tiny-bert\", \"input\": \"" + t + "\"}");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, CLIENTS));
    }
    go.countDown();
    for (int i = 0; i < 20; i++) {
      JsonArray got = futures.get(i).get(60, TimeUnit.SECONDS).json().getAsJsonArray("data").get(0)
          .getAsJsonObject().getAsJsonArray("embedding");
      JsonArray want = alone.get(i % texts.length);
      for (int j = 0; j < want.size(); j++) {
        // Padded to a longer neighbour, a row's arithmetic may round differently.
        assertEquals(want.get(j).getAsFloat(), got.get(j).getAsFloat(), 1e-5, "request " + i + " dim " + j);
      }
    }
    long batches = metric("t4j_embedding_batches_total") - batchesBefore;
    assertTrue(batches < 20, "20 concurrent requests within a 50 ms window took " + batches + " forward passes");
  }

  static long metric(String name) throws Exception {
    for (String line : get("/metrics").body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return (long) Double.parseDouble(line.substring(name.length() + 1));
      }
    }
    throw new AssertionError("no metric " + name);
  }

  @Test
  void aFullQueueAnswers429AndALateRequest504AndShutdownFinishesWhatIsInFlight(@TempDir Path tmp)
      throws Exception {
    Path model = Fixtures.gpt2(tmp, "held", false);
    try (ComputeBackend b = Backends.installed().create("cpu", BackendOptions.none())) {
      OpenAiServer s = OpenAiServer.start(new Ops(b), List.of(model), WeightPrecision.F32,
          ServerOptions.defaults().withPort(0).withWorkers(1, 1).withTimeout(2));
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch bothPassed = new CountDownLatch(2);
      s.beforeJob = () -> {
        running.countDown();
        bothPassed.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
      String body = "{\"model\": \"held\", \"prompt\": \"hello\", \"max_tokens\": 4, \"temperature\": 0}";
      // One runs (held), one waits in the queue of 1, the third is refused.
      CompletableFuture<Answer> first = CompletableFuture.supplyAsync(() -> call(s, body), CLIENTS);
      assertTrue(running.await(30, TimeUnit.SECONDS));
      CompletableFuture<Answer> queued = CompletableFuture.supplyAsync(() -> call(s, body), CLIENTS);
      for (int i = 0; i < 500 && !metrics(s).contains("t4j_queue_depth{queue=\"generation\"} 1"); i++) {
        Thread.sleep(10);
      }
      Answer refused = null;
      for (int i = 0; i < 100 && refused == null; i++) {
        Answer a = post(s, "/v1/completions", body);
        if (a.status == 429) {
          refused = a;
        } else {
          Thread.sleep(20); // the queued request may not have arrived yet
        }
      }
      assertTrue(refused != null, "no 429 with a full queue");
      assertError(refused, 429, null, "queue is full");
      // Held past the 2 s timeout: both answer 504 with a timeout error.
      assertError(first.get(30, TimeUnit.SECONDS), 504, null, "within 2 s");
      assertError(queued.get(30, TimeUnit.SECONDS), 504, null, "within 2 s");
      release.countDown();
      // The queued job (its client gone) still passes the hook before it finds itself cancelled.
      assertTrue(bothPassed.await(30, TimeUnit.SECONDS));

      // Shutdown with a request in flight: it is answered before close returns.
      CountDownLatch running2 = new CountDownLatch(1);
      CountDownLatch release2 = new CountDownLatch(1);
      s.beforeJob = () -> {
        running2.countDown();
        try {
          release2.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
      CompletableFuture<Answer> inFlight = CompletableFuture.supplyAsync(() -> call(s, body), CLIENTS);
      assertTrue(running2.await(30, TimeUnit.SECONDS));
      CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close, CLIENTS);
      Thread.sleep(300);
      assertFalse(closing.isDone(), "close waits for the request in flight");
      release2.countDown();
      Answer done = inFlight.get(30, TimeUnit.SECONDS);
      assertEquals(200, done.status, done.body);
      closing.get(30, TimeUnit.SECONDS);
    }
  }

  static String metrics(OpenAiServer s) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  static Answer call(OpenAiServer s, String body) {
    try {
      return post(s, "/v1/completions", body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
