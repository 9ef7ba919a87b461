package io.github.transformers4j.langchain4j;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.models.nn.WeightPrecision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The settings {@link T4jLanguageModel} and {@link T4jChatModel} share: the folder, the backend,
 * the weight precision and the default decoding options of every request (a request's own
 * parameters override them).
 *
 * @param <B> the concrete builder
 */
public abstract class GenerativeBuilder<B extends GenerativeBuilder<B>> {
  Path folder;
  WeightPrecision precision = WeightPrecision.F32;
  String backendName;
  int threads;
  ComputeBackend backend;
  Integer maxNewTokens;
  Double temperature;
  Double topP;
  Integer topK;
  Long seed;
  List<String> stop = List.of();

  GenerativeBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * The decoder or encoder-decoder folder (required): {@code config.json}, {@code
   * model.safetensors} (or a sharded index) and tokenizer files.
   */
  public B modelFolder(Path folder) {
    this.folder = folder;
    return self();
  }

  /** The precision of the matmul weights (default f32; int8 and bf16 as {@code --quantize}). */
  public B precision(WeightPrecision precision) {
    this.precision = Objects.requireNonNull(precision, "precision");
    return self();
  }

  /**
   * The backend to create by name; by default the one {@code -Dt4j.backend} or {@code
   * T4J_BACKEND} names, else the best available.
   */
  public B backend(String name) {
    this.backendName = name;
    return self();
  }

  /** Threads of a backend this builder creates (default: the backend's own default). */
  public B threads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    return self();
  }

  /** Computes on the caller's backend, which the model then does not close. */
  public B backend(ComputeBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
    return self();
  }

  /** The most new tokens (default: the folder's settings, else 200; always within its positions). */
  public B maxNewTokens(int n) {
    this.maxNewTokens = n;
    return self();
  }

  /** 0 for greedy decoding, a positive value to sample (default: the folder's settings). */
  public B temperature(double t) {
    this.temperature = t;
    return self();
  }

  /** Nucleus sampling (implies sampling). */
  public B topP(double p) {
    this.topP = p;
    return self();
  }

  /** Top-k sampling (implies sampling; 0 for all tokens). */
  public B topK(int k) {
    this.topK = k;
    return self();
  }

  /** The sampling seed (default 0): the same seed gives the same text. */
  public B seed(long seed) {
    this.seed = seed;
    return self();
  }

  /** Texts that end the output where they first appear (they are not part of it). */
  public B stopSequences(List<String> stop) {
    this.stop = List.copyOf(stop);
    return self();
  }

  /** The request defaults, validated. */
  FolderGenerator.Options defaults() {
    return new FolderGenerator.Options(maxNewTokens, temperature, topP, topK, seed, stop);
  }

  /** Loads the folder on the chosen backend, releasing the backend if that fails. */
  Loaded load() {
    FolderGenerator.Options defaults = defaults();
    Folders.requireDirectory(folder, "a decoder or encoder-decoder folder");
    Compute compute =
        backend != null ? Compute.borrowed(backend) : Compute.create(backendName, threads);
    try {
      return new Loaded(compute, FolderGenerator.load(compute.ops, folder, precision), defaults);
    } catch (IOException e) {
      compute.close();
      throw new UncheckedIOException(e.getMessage(), e);
    } catch (RuntimeException e) {
      compute.close();
      throw e;
    }
  }

  /** A loaded folder with its backend and request defaults. */
  record Loaded(Compute compute, FolderGenerator generator, FolderGenerator.Options defaults) {
    String name() {
      Path file = generator.dir.toAbsolutePath().normalize().getFileName();
      return file == null ? generator.dir.toString() : file.toString();
    }
  }
}
