package io.github.transformers4j.serving;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.models.bert.BertConfig;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.api.Activation;
import io.github.transformers4j.models.layers.SdpaAttention;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Model folders the server tests serve, written into a temporary folder. */
final class Fixtures {
  private Fixtures() {}

  static final String[] WORDS = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "quick", "brown", "fox", "dog", "lazy", ","
  };

  /** The most positions of the BERT fixture: a 15-word text is too long. */
  static final int BERT_POSITIONS = 16;

  /**
   * {@code dir/name}: the tiny GPT-2 of {@code testdata/models/hf-tiny/gpt2} (vocabulary 300, 64
   * positions, stop id 59) with the 300-id byte-level BPE of {@code testdata/serving} and, when
   * {@code chat}, its ChatML template.
   */
  static Path gpt2(Path dir, String name, boolean chat) throws Exception {
    Path model = SharedData.require("models/hf-tiny/gpt2");
    Path out = Files.createDirectories(dir.resolve(name));
    for (String f : List.of("config.json", "model.safetensors", "generation_config.json")) {
      Files.copy(model.resolve(f), out.resolve(f));
    }
    Files.copy(SharedData.require("serving/tokenizer.json"), out.resolve("tokenizer.json"));
    if (chat) {
      Files.copy(SharedData.require("serving/tokenizer_config.json"), out.resolve("tokenizer_config.json"));
    }
    return out;
  }

  /** {@code dir/name}: a random 2-layer BERT of width 32 with 16 positions and a WordPiece vocabulary. */
  static Path bert(Path dir, String name) throws Exception {
    Path out = Files.createDirectories(dir.resolve(name));
    BertConfig c =
        new BertConfig(WORDS.length, 32, 2, 4, 64, Activation.GELU, 0.1f, 0.1f, BERT_POSITIONS, 2,
            1e-12f, 0.02, 2, SdpaAttention.NAME, 7L);
    try (ComputeBackend b = Backends.installed().create("cpu", BackendOptions.none())) {
      BertModel bert = new BertModel(new Ops(b), c);
      Map<String, TensorData> tensors = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : bert.parameters().entrySet()) {
        tensors.put(e.getKey(), new TensorData(e.getValue().shape(), e.getValue().toFloatArray()));
      }
      SafeTensors.write(out.resolve("model.safetensors"), tensors, DType.F32);
    }
    Files.writeString(
        out.resolve("config.json"),
        "{\"model_type\": \"bert\", \"vocab_size\": " + WORDS.length + ", \"hidden_size\": 32,"
            + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"intermediate_size\": 64,"
            + " \"hidden_act\": \"gelu\", \"max_position_embeddings\": " + BERT_POSITIONS + ","
            + " \"type_vocab_size\": 2, \"layer_norm_eps\": 1e-12}");
    Files.write(out.resolve("vocab.txt"), List.of(WORDS));
    return out;
  }
}
