package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import com.google.inject.util.Modules;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.Response;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.apps.commands.ServeStop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j serve} under real clients: the official OpenAI Java SDK (embeddings, completions,
 * streaming, chat) and LangChain4j's OpenAI module (embedding model, streaming chat and language
 * models). Every answer equals what {@code t4j embed} / {@code t4j generate} print for the same
 * input, seed and settings.
 */
class ServeCommandTest {
  @TempDir static Path dir;
  static Path bert;
  static Path gpt2;
  static Path bart;
  static final ServeStop STOP = new ServeStop();
  static Path clip;
  static CompletableFuture<Integer> serving;
  static StringWriter serverOut = new StringWriter();
  static StringWriter serverErr = new StringWriter();
  static String url;
  static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    bert = Files.createDirectories(dir.resolve("tiny-bert"));
    EmbedCommandTest.writeModel(bert);
    gpt2 = Files.createDirectories(dir.resolve("tiny-gpt2"));
    Path model = SharedData.require("models/hf-tiny/gpt2");
    for (String f : List.of("config.json", "model.safetensors", "generation_config.json")) {
      Files.copy(model.resolve(f), gpt2.resolve(f));
    }
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
      Files.copy(SharedData.require("serving/" + f), gpt2.resolve(f));
    }
    // An encoder-decoder: the tiny BART (vocabulary 1000) read through the same 300-id BPE.
    bart = Files.createDirectories(dir.resolve("tiny-bart"));
    for (String f : List.of("config.json", "model.safetensors")) {
      Files.copy(SharedData.require("models/hf-tiny/bart").resolve(f), bart.resolve(f));
    }
    Files.copy(SharedData.require("serving/tokenizer.json"), bart.resolve("tokenizer.json"));
    // A CLIP folder: /v1/embeddings serves its text tower.
    clip = Files.createDirectories(dir.resolve("tiny-clip"));
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
        "expected_outputs.json")) {
      Files.copy(SharedData.require("models/hf-tiny/clip").resolve(f), clip.resolve(f));
    }
    PrintWriter out = new PrintWriter(serverOut, true);
    PrintWriter err = new PrintWriter(serverErr, true);
    // A thread of its own: the server runs until STOP, and the common pool may have one thread.
    java.util.concurrent.ExecutorService runner = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "t4j-serve-test");
      t.setDaemon(true);
      return t;
    });
    serving =
        CompletableFuture.supplyAsync(() -> T4j.run(out, err,
            Modules.override(new T4jModule()).with(b -> b.bind(ServeStop.class).toInstance(STOP)),
            "--backend", "cpu", "serve", "--model", bert.toString(), "--model", gpt2.toString(),
            "--model", bart.toString(), "--model", clip.toString(), "--port", "0"), runner);
    for (int i = 0; i < 3000 && !serverOut.toString().contains("\n") && !serving.isDone(); i++) {
      Thread.sleep(10);
    }
    String first = serverOut.toString().lines().findFirst().orElse("");
    assertTrue(first.matches("listening on http://127\\.0\\.0\\.1:\\d+"),
        "first line: " + first + "\nstderr: " + serverErr);
    url = first.substring("listening on ".length());
    client = OpenAIOkHttpClient.builder().baseUrl(url + "/v1").apiKey("not-needed").maxRetries(0).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    STOP.stop();
    assertEquals(0, serving.get(60, TimeUnit.SECONDS), serverErr::toString);
  }

  private static float[][] t4jEmbed(String... texts) {
    String[] args = new String[5 + texts.length];
    System.arraycopy(new String[] {"--backend", "cpu", "embed", "--model", bert.toString()}, 0, args, 0, 5);
    System.arraycopy(texts, 0, args, 5, texts.length);
    Cli.Run run = Cli.runInstalled(args);
    assertEquals(0, run.code(), run::toString);
    return run.out().lines().map(l -> {
      JsonArray a = JsonParser.parseString(l).getAsJsonArray();
      float[] v = new float[a.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = a.get(i).getAsFloat();
      }
      return v;
    }).toArray(float[][]::new);
  }

  // What t4j generate prints after the prompt.
  private static String t4jGenerate(String prompt, String... options) {
    String[] args = new String[7 + options.length];
    System.arraycopy(new String[] {"--backend", "cpu", "generate", "--model", gpt2.toString(), "--prompt", prompt},
        0, args, 0, 7);
    System.arraycopy(options, 0, args, 7, options.length);
    Cli.Run run = Cli.runInstalled(args);
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().startsWith(prompt) && run.out().endsWith("\n"), run::toString);
    return run.out().substring(prompt.length(), run.out().length() - 1);
  }

  private static void assertVectorsEqual(float[] want, List<Float> got, String what) {
    assertEquals(want.length, got.size(), what);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got.get(i), 1e-6, what + " dim " + i);
    }
  }

  @Test
  void sdkEmbeddingsEqualT4jEmbedAsFloatsAndBase64() {
    float[][] want = t4jEmbed("the quick brown fox", "the lazy dog");
    for (EmbeddingCreateParams.EncodingFormat format :
        List.of(EmbeddingCreateParams.EncodingFormat.FLOAT, EmbeddingCreateParams.EncodingFormat.BASE64)) {
      CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder()
          .model("tiny-bert")
          .inputOfArrayOfStrings(List.of("the quick brown fox", "the lazy dog"))
          .encodingFormat(format)
          .build());
      assertEquals(2, r.data().size());
      assertVectorsEqual(want[0], r.data().get(0).embedding(), format + " text 0");
      assertVectorsEqual(want[1], r.data().get(1).embedding(), format + " text 1");
      assertEquals(11, r.usage().promptTokens());
    }
  }

  @Test
  void sdkEmbeddingsOfAClipFolderAreHuggingFacesTextEmbeds() throws Exception {
    com.google.gson.JsonObject c = JsonParser.parseString(Files.readString(clip.resolve("expected_outputs.json")))
        .getAsJsonObject().getAsJsonArray("cases").get(0).getAsJsonObject();
    List<String> texts = c.getAsJsonArray("texts").asList().stream().map(x -> x.getAsString()).toList();
    CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("tiny-clip").inputOfArrayOfStrings(texts).build());
    assertEquals(texts.size(), r.data().size());
    JsonArray want = c.getAsJsonArray("text_embeds");
    for (int i = 0; i < texts.size(); i++) {
      JsonArray row = want.get(i).getAsJsonArray();
      List<Float> got = r.data().get(i).embedding();
      assertEquals(row.size(), got.size(), "projection_dim");
      for (int j = 0; j < row.size(); j++) {
        assertEquals(row.get(j).getAsDouble(), got.get(j), 1e-5, "text " + i + " dim " + j);
      }
    }
    // HF's attention masks: 7 + 9 + 4 tokens, start and end markers included.
    assertEquals(20, r.usage().promptTokens());
    BadRequestException tooLong = assertThrows(
        BadRequestException.class,
        () -> client.embeddings().create(EmbeddingCreateParams.builder()
            .model("tiny-clip").input("cat ".repeat(100)).build()));
    assertTrue(tooLong.getMessage().contains("102 tokens") && tooLong.getMessage().contains("at most 77"),
        tooLong.getMessage());
  }

  @Test
  void sdkGreedyCompletionsEqualT4jGenerateGreedy() {
    for (String prompt : List.of("the quick brown", "hello world")) {
      String want = t4jGenerate(prompt, "--greedy", "--max-new", "10");
      Completion c = client.completions().create(CompletionCreateParams.builder()
          .model("tiny-gpt2").prompt(prompt).maxTokens(10).temperature(0.0).build());
      assertEquals(want, c.choices().get(0).text(), prompt);
      Completion echoed = client.completions().create(CompletionCreateParams.builder()
          .model("tiny-gpt2").prompt(prompt).maxTokens(10).temperature(0.0).echo(true).build());
      assertEquals(prompt + want, echoed.choices().get(0).text());
      assertTrue(c.usage().isPresent() && c.usage().get().completionTokens() > 0);
    }
  }

  @Test
  void sdkSeededSamplingEqualsT4jGenerateWithTheSameSeed() {
    String want = t4jGenerate("a model of", "--seed", "7", "--temperature", "0.8", "--top-k", "0",
        "--top-p", "0.9", "--max-new", "12");
    Completion c = client.completions().create(CompletionCreateParams.builder()
        .model("tiny-gpt2").prompt("a model of").maxTokens(12).temperature(0.8).topP(0.9).seed(7L).build());
    assertEquals(want, c.choices().get(0).text());
    String other = t4jGenerate("a model of", "--seed", "8", "--temperature", "0.8", "--top-k", "0",
        "--top-p", "0.9", "--max-new", "12");
    assertNotEquals(want, other, "the seed matters, so the equality above says something");
  }

  @Test
  void sdkStreamingGivesTheSameTextAsOneAnswer() {
    CompletionCreateParams params = CompletionCreateParams.builder()
        .model("tiny-gpt2").prompt("hello world").maxTokens(15).temperature(0.0).build();
    String whole = client.completions().create(params).choices().get(0).text();
    StringBuilder streamed = new StringBuilder();
    int[] chunks = {0};
    try (StreamResponse<Completion> s = client.completions().createStreaming(params)) {
      s.stream().forEach(c -> {
        chunks[0]++;
        c.choices().forEach(ch -> streamed.append(ch.text()));
      });
    }
    assertEquals(whole, streamed.toString());
    assertTrue(chunks[0] > 1, "more than one event: " + chunks[0]);
  }

  @Test
  void sdkChatCompletionIsTheGreedyContinuationOfTheRenderedTemplate() {
    String rendered = "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n";
    String want = t4jGenerate(rendered, "--greedy", "--max-new", "6");
    var r = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("tiny-gpt2").addUserMessage("hello").maxCompletionTokens(6).temperature(0.0).build());
    assertEquals(want, r.choices().get(0).message().content().orElse(null));
  }

  @Test
  void sdkCompletionOfAnEncoderDecoderEqualsT4jGenerate() {
    Cli.Run run = Cli.runInstalled("--backend", "cpu", "generate", "--model", bart.toString(),
        "--prompt", "the quick brown", "--greedy", "--max-new", "8");
    assertEquals(0, run.code(), run::toString);
    Completion c = client.completions().create(CompletionCreateParams.builder()
        .model("tiny-bart").prompt("the quick brown").maxTokens(8).temperature(0.0).build());
    // A seq2seq model prints its output only (the prompt is its source).
    assertEquals(run.out().substring(0, run.out().length() - 1), c.choices().get(0).text());
    assertTrue(c.usage().get().completionTokens() > 0);
  }

  @Test
  void sdkErrorsCarryTheServersMessage() {
    NotFoundException missing = assertThrows(NotFoundException.class,
        () -> client.completions().create(CompletionCreateParams.builder()
            .model("gpt-4").prompt("hi").build()));
    assertTrue(missing.getMessage().contains("gpt-4"), missing::getMessage);
    BadRequestException tooMany = assertThrows(BadRequestException.class,
        () -> client.completions().create(CompletionCreateParams.builder()
            .model("tiny-gpt2").prompt("hi").maxTokens(10_000).build()));
    assertTrue(tooMany.getMessage().contains("max_tokens"), tooMany::getMessage);
  }

  @Test
  void langChain4jEmbeddingModelEqualsT4jEmbed() {
    float[] want = t4jEmbed("the lazy dog")[0];
    OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder()
        .baseUrl(url + "/v1").apiKey("not-needed").modelName("tiny-bert").build();
    float[] got = model.embed("the lazy dog").content().vector();
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-6, "dim " + i);
    }
  }

  @Test
  void langChain4jStreamingChatModelStreamsTheGreedyAnswer() throws Exception {
    String rendered = "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n";
    String want = t4jGenerate(rendered, "--greedy", "--max-new", "6");
    OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
        .baseUrl(url + "/v1").apiKey("not-needed").modelName("tiny-gpt2").temperature(0.0).maxTokens(6)
        .build();
    StringBuilder partial = new StringBuilder();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    model.chat("hello", new StreamingChatResponseHandler() {
      @Override
      public void onPartialResponse(String text) {
        partial.append(text);
      }

      @Override
      public void onCompleteResponse(ChatResponse response) {
        done.complete(response);
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }
    });
    ChatResponse r = done.get(60, TimeUnit.SECONDS);
    assertEquals(want, partial.toString());
    assertEquals(want, r.aiMessage().text());
  }

  @Test
  void langChain4jStreamingLanguageModelUsesCompletions() throws Exception {
    // OpenAI's default of 16 tokens, greedy at temperature 0.
    String want = t4jGenerate("the quick brown", "--greedy", "--max-new", "16");
    OpenAiStreamingLanguageModel model = OpenAiStreamingLanguageModel.builder()
        .baseUrl(url + "/v1").apiKey("not-needed").modelName("tiny-gpt2").temperature(0.0).build();
    StringBuilder partial = new StringBuilder();
    CompletableFuture<Response<String>> done = new CompletableFuture<>();
    model.generate("the quick brown", new StreamingResponseHandler<String>() {
      @Override
      public void onNext(String token) {
        partial.append(token);
      }

      @Override
      public void onComplete(Response<String> response) {
        done.complete(response);
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }
    });
    done.get(60, TimeUnit.SECONDS);
    assertEquals(want, partial.toString());
  }

  @Test
  void badServeOptionsAreClearErrors() {
    Cli.Run missing = Cli.runInstalled("--backend", "cpu", "serve", "--model", dir.resolve("none").toString(),
        "--port", "0");
    assertNotEquals(0, missing.code(), missing::toString);
    assertTrue(missing.err().contains("none: no such folder"), missing::toString);
    Cli.Run port = Cli.runInstalled("--backend", "cpu", "serve", "--model", gpt2.toString(), "--port", "70000");
    assertNotEquals(0, port.code(), port::toString);
    assertTrue(port.err().contains("--port must be in 0..65535"), port::toString);
    assertNull(missing.errorLines().stream().filter(l -> l.contains("Exception")).findFirst().orElse(null),
        missing::toString);
  }
}
