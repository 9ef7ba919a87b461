package io.github.transformers4j.langchain4j;

import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.language.StreamingLanguageModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import java.util.function.Consumer;

/**
 * A LangChain4j {@link StreamingLanguageModel} (and {@link LanguageModel}) over a decoder or
 * encoder-decoder folder: a decoder continues the prompt, an encoder-decoder decodes it as its
 * source. Each piece of text reaches {@link StreamingResponseHandler#onNext} as soon as its token
 * is generated and decodes to whole characters; the pieces together are what {@code t4j generate}
 * prints after the prompt with the same settings ({@code temperature(0)} is {@code --greedy}).
 * Generation stops at the folder's end-of-sequence ids, at a stop sequence or after the token
 * budget; {@link Response#finishReason()} says which ({@code STOP} or {@code LENGTH}).
 *
 * <pre>{@code
 * try (T4jLanguageModel lm =
 *     T4jLanguageModel.builder().modelFolder(dir).temperature(0).maxNewTokens(40).build()) {
 *   String text = lm.generate("Once upon a time").content();
 * }
 * }</pre>
 *
 * <p>Decoding starts from the folder's generation settings ({@code generation_config.json}, else
 * {@code config.json}'s generation fields, over Hugging Face's defaults, which are greedy); a
 * temperature, top-p or top-k switches to sampling, seeded by {@link Builder#seed}. Generations
 * run one at a time per model, on the caller's thread.
 */
public final class T4jLanguageModel implements StreamingLanguageModel, LanguageModel, AutoCloseable {
  private final GenerativeBuilder.Loaded loaded;

  private T4jLanguageModel(GenerativeBuilder.Loaded loaded) {
    this.loaded = loaded;
  }

  /** A builder; {@link Builder#modelFolder} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Response<String> generate(String prompt) {
    FolderGenerator.Result r = run(prompt, piece -> {});
    return response(r);
  }

  @Override
  public void generate(String prompt, StreamingResponseHandler<String> handler) {
    FolderGenerator.Result r;
    try {
      r = run(prompt, handler::onNext);
    } catch (RuntimeException e) {
      handler.onError(e);
      return;
    }
    handler.onComplete(response(r));
  }

  private FolderGenerator.Result run(String prompt, Consumer<String> onText) {
    if (prompt == null) {
      throw new IllegalArgumentException("the prompt is null");
    }
    return loaded.generator().generate(prompt, loaded.defaults(), onText, () -> false);
  }

  private static Response<String> response(FolderGenerator.Result r) {
    return Response.from(
        r.text(), new TokenUsage(r.promptTokens(), r.newTokens()), r.finishReason());
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

  /** Settings of a {@link T4jLanguageModel}. */
  public static final class Builder extends GenerativeBuilder<Builder> {
    private Builder() {}

    /**
     * Loads the model.
     *
     * @throws IllegalArgumentException naming the folder when it is missing, holds no generative
     *     model or has no tokenizer this library reads, or naming a bad setting
     * @throws java.io.UncheckedIOException naming the file that cannot be read
     */
    public T4jLanguageModel build() {
      return new T4jLanguageModel(load());
    }
  }
}
