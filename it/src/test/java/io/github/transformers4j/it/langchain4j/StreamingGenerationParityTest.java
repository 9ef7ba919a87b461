package io.github.transformers4j.it.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import io.github.transformers4j.langchain4j.ChatFormat;
import io.github.transformers4j.langchain4j.T4jChatModel;
import io.github.transformers4j.langchain4j.T4jLanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming models of transformer-langchain4j against {@code t4j generate --greedy}: the
 * pieces handed to the handler, concatenated, are exactly what the command prints after the
 * prompt (the language model on a prompt; the chat model on the prompt its chat template renders,
 * which is given to the command as text).
 */
class StreamingGenerationParityTest {
  private static final String PROMPT = "The man and the";
  private static final int NEW = 24;

  @TempDir static Path tmp;
  private static Path folder;

  @BeforeAll
  static void folder() throws Exception {
    folder = DecoderFolder.write(tmp.resolve("tiny-gpt2"));
  }

  /** What {@code t4j generate --greedy} prints after {@code prompt}. */
  private static String cliContinuation(Path dir, String prompt, int n) {
    CliRun run =
        CliRun.of(
            "--backend", "cpu", "--threads", "1", "generate", "--model", dir.toString(),
            "--prompt", prompt, "--greedy", "--max-new", Integer.toString(n));
    assertEquals(0, run.code, run::toString);
    assertTrue(run.out.startsWith(prompt) && run.out.endsWith("\n"), run::toString);
    return run.out.substring(prompt.length(), run.out.length() - 1);
  }

  @Test
  void streamedPiecesOfTheLanguageModelAreTheCommandsGreedyText() {
    String want = cliContinuation(folder, PROMPT, NEW);
    List<String> pieces = new ArrayList<>();
    AtomicReference<Response<String>> done = new AtomicReference<>();
    try (T4jLanguageModel lm =
        T4jLanguageModel.builder()
            .modelFolder(folder)
            .backend("cpu")
            .threads(1)
            .temperature(0)
            .maxNewTokens(NEW)
            .build()) {
      lm.generate(
          PROMPT,
          new StreamingResponseHandler<String>() {
            @Override
            public void onNext(String token) {
              assertNull(done.get(), "a piece after the response completed");
              pieces.add(token);
            }

            @Override
            public void onComplete(Response<String> response) {
              done.set(response);
            }

            @Override
            public void onError(Throwable error) {
              throw new AssertionError(error);
            }
          });
      System.out.printf(
          "[StreamingGenerationParityTest] %d pieces: %s%n", pieces.size(), pieces);
      assertEquals(want, String.join("", pieces));
      assertTrue(pieces.size() > 1, "streamed token by token, not at once: " + pieces);
      Response<String> r = done.get();
      assertEquals(want, r.content());
      assertEquals(4, r.tokenUsage().inputTokenCount(), "The, man, and, the");
      int generated = r.tokenUsage().outputTokenCount();
      assertEquals(
          generated == NEW ? FinishReason.LENGTH : FinishReason.STOP, r.finishReason(), r::toString);
      // The blocking interface gives the same text.
      assertEquals(want, lm.generate(PROMPT).content());
    }
  }

  @Test
  void aStopSequenceEndsTheTextBeforeItAndIsNeverStreamed() {
    String full = cliContinuation(folder, PROMPT, NEW);
    // Cut at the middle of the text: a stop sequence of two characters taken from there.
    int at = full.length() / 2;
    String stop = full.substring(at, at + 2);
    String want = full.substring(0, full.indexOf(stop));
    List<String> pieces = new ArrayList<>();
    try (T4jLanguageModel lm =
        T4jLanguageModel.builder()
            .modelFolder(folder)
            .backend("cpu")
            .threads(1)
            .temperature(0)
            .maxNewTokens(NEW)
            .stopSequences(List.of(stop))
            .build()) {
      AtomicReference<Response<String>> done = new AtomicReference<>();
      lm.generate(
          PROMPT,
          new StreamingResponseHandler<String>() {
            @Override
            public void onNext(String token) {
              pieces.add(token);
            }

            @Override
            public void onComplete(Response<String> response) {
              done.set(response);
            }

            @Override
            public void onError(Throwable error) {
              throw new AssertionError(error);
            }
          });
      assertEquals(want, String.join("", pieces), "stop " + stop + " in " + full);
      assertEquals(want, done.get().content());
      assertEquals(FinishReason.STOP, done.get().finishReason());
    }
  }

  @Test
  void theChatModelStreamsWhatTheCommandGeneratesForTheRenderedTemplate() throws Exception {
    Path chat = DecoderFolder.write(tmp.resolve("tiny-gpt2-chat"));
    // A template of our own in the usual style: a system line, "> " before each user turn, "< "
    // before the assistant's; all of its tokens are ids below the model's 1000.
    String template =
        "{%- for message in messages %}\n"
            + "{%- if message['role'] == 'system' %}{{ message['content'] | trim }}\n"
            + "{% elif message['role'] == 'user' %}> {{ message['content'] | trim }}\n"
            + "{% else %}< {{ message['content'] | trim }}\n"
            + "{% endif %}\n"
            + "{%- endfor %}\n"
            + "{%- if add_generation_prompt %}< {% endif %}";
    Files.writeString(
        chat.resolve("tokenizer_config.json"),
        "{\"eos_token\": \"<|endoftext|>\", \"chat_template\": "
            + new com.google.gson.Gson().toJson(template)
            + "}");
    List<ChatMessage> messages =
        List.of(SystemMessage.from("it is a good one."), UserMessage.from("the man and the"));
    try (T4jChatModel model =
        T4jChatModel.builder()
            .modelFolder(chat)
            .backend("cpu")
            .threads(1)
            .temperature(0)
            .maxNewTokens(NEW)
            .build()) {
      String prompt = model.prompt(ChatRequest.builder().messages(messages).build());
      assertEquals("it is a good one.\n> the man and the\n< ", prompt);
      String want = cliContinuation(chat, prompt, NEW);
      List<String> pieces = new ArrayList<>();
      AtomicReference<ChatResponse> done = new AtomicReference<>();
      model.chat(
          messages,
          new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
              pieces.add(partialResponse);
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
              done.set(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
              throw new AssertionError(error);
            }
          });
      assertEquals(want, String.join("", pieces));
      assertTrue(pieces.size() > 1, "streamed: " + pieces);
      assertEquals(want, done.get().aiMessage().text());
      assertEquals(chat.getFileName().toString(), done.get().modelName());
      // The blocking ChatModel interface answers the same.
      assertEquals(want, model.chat(messages).aiMessage().text());

      // A handler that cancels after the first piece hears nothing more, not even completion.
      List<String> cancelled = new ArrayList<>();
      AtomicReference<Object> after = new AtomicReference<>();
      model.chat(
          messages,
          new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse piece, PartialResponseContext context) {
              cancelled.add(piece.text());
              context.streamingHandle().cancel();
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
              after.set(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
              after.set(error);
            }
          });
      assertEquals(1, cancelled.size(), cancelled::toString);
      assertNull(after.get());
    }
  }

  @Test
  void anEncoderDecoderFolderStreamsItsDecodedOutput() throws Exception {
    // hf-tiny/t5 (vocabulary 1100) with the SentencePiece test model carrying T5's specials and
    // 100 sentinels: 1,100 ids.
    Path t5 = tmp.resolve("tiny-t5");
    Files.createDirectories(t5);
    Path model = io.github.transformers4j.api.testing.SharedData.require("models/hf-tiny/t5");
    Path tok = io.github.transformers4j.api.testing.SharedData.require("tokenizers/t5");
    for (String f : List.of("config.json", "model.safetensors")) {
      Files.copy(model.resolve(f), t5.resolve(f));
    }
    for (String f : List.of("spiece.model", "tokenizer_config.json")) {
      Files.copy(tok.resolve(f), t5.resolve(f));
    }
    String source = "I saw a girl with a telescope.";
    CliRun run =
        CliRun.of(
            "--backend", "cpu", "--threads", "1", "generate", "--model", t5.toString(),
            "--prompt", source, "--greedy", "--max-new", "12");
    assertEquals(0, run.code, run::toString);
    String want = run.out.substring(0, run.out.length() - 1); // the decoded output, then a newline
    List<String> pieces = new ArrayList<>();
    try (T4jLanguageModel lm =
        T4jLanguageModel.builder()
            .modelFolder(t5)
            .backend("cpu")
            .threads(1)
            .temperature(0)
            .maxNewTokens(12)
            .build()) {
      AtomicReference<Response<String>> done = new AtomicReference<>();
      lm.generate(
          source,
          new StreamingResponseHandler<String>() {
            @Override
            public void onNext(String token) {
              pieces.add(token);
            }

            @Override
            public void onComplete(Response<String> response) {
              done.set(response);
            }

            @Override
            public void onError(Throwable error) {
              throw new AssertionError(error);
            }
          });
      System.out.printf("[StreamingGenerationParityTest] t5: %d pieces: %s%n", pieces.size(), pieces);
      assertEquals(want, String.join("", pieces), run::toString);
      assertEquals(want, done.get().content());
    }
  }

  @Test
  void aFolderWithoutAChatTemplateNeedsAnExplicitFormat() throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> T4jChatModel.builder().modelFolder(folder).backend("cpu").build());
    assertTrue(
        e.getMessage().startsWith(folder + " has no chat template")
            && e.getMessage().contains("ChatFormat.plain()"),
        e.getMessage());
    try (T4jChatModel model =
        T4jChatModel.builder()
            .modelFolder(folder)
            .backend("cpu")
            .threads(1)
            .chatFormat(ChatFormat.plain())
            .temperature(0)
            .maxNewTokens(NEW)
            .build()) {
      List<ChatMessage> messages =
          List.of(SystemMessage.from("Be brief."), UserMessage.from("the man and the"));
      String prompt = model.prompt(ChatRequest.builder().messages(messages).build());
      assertEquals("System: Be brief.\nUser: the man and the\nAssistant:", prompt);
    }
  }
}
