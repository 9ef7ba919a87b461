package io.github.transformers4j.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import dev.langchain4j.model.output.TokenUsage;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.models.bert.SentenceEmbedder;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.embedding.EmbeddingOptions;
import io.github.transformers4j.models.embedding.TextEmbedding;
import io.github.transformers4j.models.embedding.TextEmbeddingProvider;
import io.github.transformers4j.models.embedding.TextEmbeddings;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A LangChain4j {@link EmbeddingModel} over a BERT-family folder ({@code config.json} with {@code
 * model_type} bert, roberta or electra; {@code model.safetensors} or a sharded index; {@code
 * tokenizer.json} or {@code vocab.txt}), computing what {@code t4j embed} prints for the same
 * texts: the encoder's last hidden state, mean-pooled over real tokens (or the {@code [CLS]}
 * vector), L2-normalized, as sentence-transformers does for models such as all-MiniLM-L6-v2. A
 * CLIP folder (with the multimodal module installed) gives its text tower's embeddings, and any
 * family an installed {@link TextEmbeddingProvider} loads works the same way.
 *
 * <pre>{@code
 * try (T4jEmbeddingModel model = T4jEmbeddingModel.builder().modelFolder(dir).build()) {
 *   Embedding e = model.embed("The quick brown fox").content();   // model.dimension() floats
 * }
 * }</pre>
 *
 * <p>{@link #embedAll} runs its texts through the encoder in batches of {@link
 * Builder#batchSize} (16 by default, as {@code t4j embed}); the response's token usage counts the
 * input tokens the encoder saw ({@code [CLS]} and {@code [SEP]} included, after truncation to the
 * model's positions). Calls are serialized: one batch computes at a time per model. Close the
 * model to release the backend it created.
 */
public final class T4jEmbeddingModel implements EmbeddingModel, AutoCloseable {
  private final Compute compute;
  private final TextEmbedding embedder;
  private final String name;

  private T4jEmbeddingModel(Compute compute, TextEmbedding embedder, String name) {
    this.compute = compute;
    this.embedder = embedder;
    this.name = name;
  }

  /** A builder; {@link Builder#modelFolder} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public EmbeddingResponse doEmbed(EmbeddingRequest request) {
    List<String> texts = new ArrayList<>(request.inputs().size());
    for (EmbeddingInput input : request.inputs()) {
      texts.add(Objects.requireNonNull(input.text(), "an embedding input has no text"));
    }
    float[][] vectors;
    int tokens = 0;
    synchronized (this) {
      for (String t : texts) {
        tokens += Math.min(embedder.countTokens(t), embedder.maxTokens());
      }
      vectors = embedder.embed(texts);
    }
    List<Embedding> embeddings = new ArrayList<>(vectors.length);
    for (float[] v : vectors) {
      embeddings.add(Embedding.from(v));
    }
    return EmbeddingResponse.builder()
        .embeddings(embeddings)
        .metadata(
            EmbeddingResponseMetadata.builder()
                .modelName(name)
                .tokenUsage(new TokenUsage(tokens))
                .build())
        .build();
  }

  /** The width of the vectors: the encoder's hidden size C (CLIP: its projection width). */
  @Override
  public int dimension() {
    return embedder.dimensions();
  }

  /** The model folder's name. */
  @Override
  public String modelName() {
    return name;
  }

  /** Releases the backend, when the builder created it. */
  @Override
  public void close() {
    compute.close();
  }

  /** Settings of a {@link T4jEmbeddingModel}; the defaults are {@code t4j embed}'s. */
  public static final class Builder {
    private Path folder;
    private SentenceEmbedder.Pool pooling = SentenceEmbedder.Pool.MEAN;
    private boolean normalize = true;
    private int batchSize = 16;
    private WeightPrecision precision = WeightPrecision.F32;
    private String backendName;
    private int threads;
    private ComputeBackend backend;

    private Builder() {}

    /** The BERT-family or CLIP folder (required). */
    public Builder modelFolder(Path folder) {
      this.folder = folder;
      return this;
    }

    /** Mean over real tokens (the default, as sentence-transformers) or the first token. */
    public Builder pooling(SentenceEmbedder.Pool pooling) {
      this.pooling = Objects.requireNonNull(pooling, "pooling");
      return this;
    }

    /** L2-normalize the pooled vectors (default true, as {@code t4j embed}). */
    public Builder normalize(boolean normalize) {
      this.normalize = normalize;
      return this;
    }

    /** Texts per forward pass (default 16). */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** The precision of the matmul weights (default f32; int8 and bf16 as {@code --quantize}). */
    public Builder precision(WeightPrecision precision) {
      this.precision = Objects.requireNonNull(precision, "precision");
      return this;
    }

    /**
     * The backend to create by name ({@code cpu}, {@code aparapi}, {@code reference}); by default
     * the one {@code -Dt4j.backend} or {@code T4J_BACKEND} names, else the best available.
     */
    public Builder backend(String name) {
      this.backendName = name;
      return this;
    }

    /** Threads of a backend this builder creates (default: the backend's own default). */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Computes on the caller's backend, which the model then does not close. */
    public Builder backend(ComputeBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * Loads the model.
     *
     * @throws IllegalArgumentException naming the folder when it is missing, holds another family
     *     or has no tokenizer this library reads
     * @throws UncheckedIOException naming the file that cannot be read
     */
    public T4jEmbeddingModel build() {
      String expected =
          "a BERT-family folder (config.json, model.safetensors, tokenizer.json or vocab.txt)";
      Folders.requireDirectory(folder, expected);
      Compute compute =
          backend != null ? Compute.borrowed(backend) : Compute.create(backendName, threads);
      try {
        // The family first: its error says more than a missing tokenizer's would.
        Object type = HfConfig.read(folder.resolve(Pretrained.CONFIG)).get("model_type");
        TextEmbeddingProvider family =
            TextEmbeddings.forModelType(String.valueOf(type))
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            folder + " holds a model of model_type '" + type + "', which is not"
                                + " an embedding family; installed: " + TextEmbeddings.modelTypes()));
        TextEmbedding embedder =
            family.load(
                compute.ops,
                folder,
                new EmbeddingOptions(
                    precision, pooling == SentenceEmbedder.Pool.CLS ? "cls" : "mean", normalize, batchSize));
        Path file = folder.toAbsolutePath().normalize().getFileName();
        return new T4jEmbeddingModel(
            compute, embedder, file == null ? folder.toString() : file.toString());
      } catch (IOException e) {
        compute.close();
        throw new UncheckedIOException(e.getMessage(), e);
      } catch (RuntimeException e) {
        compute.close();
        throw e;
      }
    }
  }
}
