package io.github.transformers4j.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.TokenUsage;
import io.github.transformers4j.models.chat.ChatTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A LangChain4j {@link StreamingChatModel} (and {@link ChatModel}) over a decoder or
 * encoder-decoder folder: the messages are rendered into one prompt by the folder's chat template
 * ({@code chat_template.jinja} or {@code tokenizer_config.json}'s {@code chat_template}, with the
 * generation prompt, as Hugging Face's {@code apply_chat_template}) or by the {@link ChatFormat}
 * given to the builder, and the answer is generated and streamed as {@link T4jLanguageModel}
 * does. A folder without a chat template is refused at build time unless a format is given: the
 * model was not trained to chat, and a made-up format would answer silently worse.
 *
 * <pre>{@code
 * try (T4jChatModel chat = T4jChatModel.builder().modelFolder(dir).build()) {
 *   chat.chat("Hello!", handler);     // handler.onPartialResponse(piece) as tokens come
 * }
 * }</pre>
 *
 * <p>Request parameters: {@code temperature} (0 is greedy), {@code topP}, {@code topK}, {@code
 * maxOutputTokens} and {@code stopSequences} are honored; frequency and presence penalties, tools
 * and JSON response formats are refused with an {@link UnsupportedFeatureException} naming them.
 * A streaming handler may cancel through the {@link StreamingHandle} of its partial-response
 * context: generation stops at the next token and the handler hears nothing more. Generations run
 * one at a time per model, on the caller's thread.
 */
public final class T4jChatModel implements StreamingChatModel, ChatModel, AutoCloseable {
  private final GenerativeBuilder.Loaded loaded;
  private final ChatFormat format;
  private final ChatRequestParameters defaults;
  private final List<ChatModelListener> listeners;

  private T4jChatModel(
      GenerativeBuilder.Loaded loaded, ChatFormat format, List<ChatModelListener> listeners) {
    this.loaded = loaded;
    this.format = format;
    this.listeners = listeners;
    FolderGenerator.Options d = loaded.defaults();
    this.defaults =
        DefaultChatRequestParameters.builder()
            .modelName(loaded.name())
            .temperature(d.temperature())
            .topP(d.topP())
            .topK(d.topK())
            .maxOutputTokens(d.maxNewTokens())
            .stopSequences(d.stop())
            .build();
  }

  /** A builder; {@link Builder#modelFolder} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The prompt the model continues for {@code request}'s messages. */
  public String prompt(ChatRequest request) {
    return format.render(request.messages());
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    return run(request, piece -> {}, () -> false);
  }

  @Override
  public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
    AtomicBoolean cancelled = new AtomicBoolean();
    StreamingHandle handle =
        new StreamingHandle() {
          @Override
          public void cancel() {
            cancelled.set(true);
          }

          @Override
          public boolean isCancelled() {
            return cancelled.get();
          }
        };
    PartialResponseContext context = new PartialResponseContext(handle);
    ChatResponse response;
    try {
      response =
          run(
              request,
              piece -> handler.onPartialResponse(new PartialResponse(piece), context),
              cancelled::get);
    } catch (RuntimeException e) {
      handler.onError(e);
      return;
    }
    if (response != null) {
      handler.onCompleteResponse(response);
    }
  }

  private ChatResponse run(
      ChatRequest request, Consumer<String> onText, java.util.function.BooleanSupplier cancelled) {
    ChatRequestParameters p = request.parameters();
    refuseUnsupported(p);
    FolderGenerator.Options o =
        new FolderGenerator.Options(
            p.maxOutputTokens(),
            p.temperature(),
            p.topP(),
            p.topK(),
            loaded.defaults().seed(),
            p.stopSequences());
    String prompt = format.render(request.messages());
    FolderGenerator.Result r = loaded.generator().generate(prompt, o, onText, cancelled);
    if (r == null) {
      return null;
    }
    return ChatResponse.builder()
        .aiMessage(AiMessage.from(r.text()))
        .modelName(loaded.name())
        .tokenUsage(new TokenUsage(r.promptTokens(), r.newTokens()))
        .finishReason(r.finishReason())
        .build();
  }

  private void refuseUnsupported(ChatRequestParameters p) {
    List<String> refused = new ArrayList<>();
    if (p.modelName() != null && !p.modelName().equals(loaded.name())) {
      throw new IllegalArgumentException(
          "this model is '" + loaded.name() + "'; the request names '" + p.modelName() + "'");
    }
    if (p.frequencyPenalty() != null) {
      refused.add("frequencyPenalty");
    }
    if (p.presencePenalty() != null) {
      refused.add("presencePenalty");
    }
    if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
      refused.add("toolSpecifications");
    }
    if (p.toolChoice() != null) {
      refused.add("toolChoice");
    }
    if (p.responseFormat() != null && !ResponseFormat.TEXT.equals(p.responseFormat())) {
      refused.add("responseFormat " + p.responseFormat().type());
    }
    if (!refused.isEmpty()) {
      throw new UnsupportedFeatureException(
          "T4jChatModel '" + loaded.name() + "' does not support " + String.join(", ", refused)
              + " (supported: temperature, topP, topK, maxOutputTokens, stopSequences)");
    }
  }

  /** The builder's decoding settings, under the folder's name; a request's parameters override. */
  @Override
  public ChatRequestParameters defaultRequestParameters() {
    return defaults;
  }

  @Override
  public List<ChatModelListener> listeners() {
    return listeners;
  }

  @Override
  public ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  @Override
  public Set<Capability> supportedCapabilities() {
    return Set.of();
  }

  /** The model folder's name. */
  public String modelName() {
    return loaded.name();
  }

  /** Releases the backend, when the builder created it. */
  @Override
  public void close() {
    loaded.compute().close();
  }

  /** Settings of a {@link T4jChatModel}. */
  public static final class Builder extends GenerativeBuilder<Builder> {
    private ChatFormat format;
    private List<ChatModelListener> listeners = List.of();

    private Builder() {}

    /**
     * How messages become the prompt, instead of the folder's chat template ({@link
     * ChatFormat#plain()} for a folder that has none).
     */
    public Builder chatFormat(ChatFormat format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    /** LangChain4j listeners told of every request, response and error. */
    public Builder listeners(List<ChatModelListener> listeners) {
      this.listeners = List.copyOf(listeners);
      return this;
    }

    /**
     * Loads the model.
     *
     * @throws IllegalArgumentException naming the folder when it is missing, holds no generative
     *     model, has no tokenizer this library reads, or has no chat template while no {@link
     *     #chatFormat} was given; naming the construct of a template this module cannot render
     * @throws UncheckedIOException naming the file that cannot be read
     */
    public T4jChatModel build() {
      Folders.requireDirectory(folder, "a decoder or encoder-decoder folder");
      ChatFormat f = format;
      if (f == null) {
        try {
          f =
              ChatFormat.fromFolder(folder)
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              folder + " has no chat template (no " + ChatTemplate.JINJA_FILE
                                  + ", no chat_template in " + ChatTemplate.TOKENIZER_CONFIG
                                  + "): it was not trained to chat. Use T4jLanguageModel, or"
                                  + " pass chatFormat(ChatFormat.plain()) for a plain"
                                  + " 'User: ...' transcript"));
        } catch (IOException e) {
          throw new UncheckedIOException(e.getMessage(), e);
        }
      }
      return new T4jChatModel(load(), f, listeners);
    }
  }
}
