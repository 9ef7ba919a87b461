package io.github.transformers4j.serving;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.chat.ChatTemplate;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.embedding.EmbeddingOptions;
import io.github.transformers4j.models.embedding.TextEmbedding;
import io.github.transformers4j.models.embedding.TextEmbeddingProvider;
import io.github.transformers4j.models.embedding.TextEmbeddings;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.HfGenerationSettings;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.tasks.TextGeneration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models a server serves, by name (the folder's name): folders of a {@code model_type} that an
 * installed {@link TextEmbeddingProvider} loads (BERT, RoBERTa, ELECTRA; CLIP's text tower when the
 * multimodal module is installed) as embedders, decoders and encoder-decoders as generators.
 */
final class ModelCatalog implements AutoCloseable {
  private final Map<String, ServedEmbedder> embedders = new LinkedHashMap<>();
  private final Map<String, ServedGenerator> generators = new LinkedHashMap<>();

  /**
   * Loads every folder of {@code dirs}.
   *
   * @throws IllegalArgumentException naming the folder that cannot be served and why, or two
   *     folders of the same name
   * @throws IOException naming a file that cannot be read
   */
  static ModelCatalog load(
      Ops ops, List<Path> dirs, WeightPrecision precision, ServerOptions options, Metrics metrics)
      throws IOException {
    if (dirs.isEmpty()) {
      throw new IllegalArgumentException("give at least one --model DIR to serve");
    }
    ModelCatalog c = new ModelCatalog();
    try {
      for (Path dir : dirs) {
        c.add(ops, dir, precision, options, metrics);
      }
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void add(Ops ops, Path dir, WeightPrecision precision, ServerOptions options, Metrics metrics)
      throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    String name = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    if (embedders.containsKey(name) || generators.containsKey(name)) {
      throw new IllegalArgumentException(
          "two --model folders are named '" + name + "' (" + dir + "); the folder name is the"
              + " model name clients ask for, so it must be unique");
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--model " + dir + ": no such folder");
    }
    if (!Pretrained.isModelFolder(dir)) {
      throw new IllegalArgumentException(
          "--model " + dir + " is not a Hugging Face model folder: it needs config.json and"
              + " model.safetensors (or a sharded index)");
    }
    String type = String.valueOf(HfConfig.read(dir.resolve(Pretrained.CONFIG)).get("model_type"));
    Optional<TextEmbeddingProvider> embedding = TextEmbeddings.forModelType(type);
    if (embedding.isPresent()) {
      TextEmbedding e;
      try {
        e = embedding.get().load(
            ops, dir, new EmbeddingOptions(precision, options.pooling(), options.normalize(), options.batchSize()));
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException("--model " + dir + ": " + x.getMessage(), x);
      }
      MicroBatcher batcher =
          new MicroBatcher(
              name, e::embed, options.batchSize(),
              options.batchWaitMillis(), options.queue(), metrics::embeddingBatch);
      embedders.put(name, new ServedEmbedder(name, e, batcher));
      metrics.gauge("embeddings:" + name, batcher::depth);
      return;
    }
    TextTokenizer tok = null;
    String tokProblem = null;
    try {
      tok = Tokenizers.installed().forName("auto").load(dir);
    } catch (IOException | IllegalArgumentException e) {
      tokProblem = e.getMessage();
    }
    PretrainedModel m = Pretrained.load(ops, dir, PretrainedModel.class, precision);
    if (!TextGeneration.canGenerate(m)) {
      throw new IllegalArgumentException(
          "--model " + dir + " holds a " + m.architecture() + " model, which this server"
              + " serves neither for embeddings (model types " + TextEmbeddings.modelTypes()
              + ") nor for completions (decoders, encoder-decoders)");
    }
    m.train(false, 0);
    int vocab = m instanceof CausalLm lm ? lm.vocabSize() : ((Seq2SeqLm) m).vocabSize();
    Path source = dir.resolve(HfGenerationSettings.FILE);
    GenerationConfig settings =
        HfGenerationSettings.apply(HfGenerationSettings.defaults(), HfGenerationSettings.read(dir), source.toString());
    // As t4j generate: stop ids inside the model, never an embedding row the tokenizer cannot decode.
    settings =
        HfGenerationSettings.forVocabulary(settings, vocab, tok == null ? -1 : tok.vocabularySize(), dir.toString());
    ChatTemplate template = null;
    String templateProblem = null;
    try {
      template = ChatTemplate.read(dir).orElse(null);
      if (template == null) {
        templateProblem =
            "the folder has no " + ChatTemplate.JINJA_FILE + " and no chat_template in "
                + ChatTemplate.TOKENIZER_CONFIG;
      }
    } catch (ChatTemplate.TemplateException e) {
      // The server still serves completions; chat completions answer 400 with this.
      templateProblem = "its chat template cannot be rendered: " + e.getMessage();
    }
    generators.put(
        name, new ServedGenerator(name, m, tok, tokProblem, settings, vocab, template, templateProblem));
  }

  /** The embedder named {@code name}, or {@code null}. */
  ServedEmbedder embedder(String name) {
    return embedders.get(name);
  }

  /** The generator named {@code name}, or {@code null}. */
  ServedGenerator generator(String name) {
    return generators.get(name);
  }

  /** Every served name, embedders first, in the order given. */
  List<String> names() {
    List<String> out = new java.util.ArrayList<>(embedders.keySet());
    out.addAll(generators.keySet());
    return out;
  }

  /** Finishes queued embeddings and stops the batcher threads. */
  @Override
  public void close() {
    for (ServedEmbedder e : embedders.values()) {
      e.batcher().close();
    }
  }
}
