package io.github.transformers4j.it.parity;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.models.bert.BertConfig;
import io.github.transformers4j.models.config.HfConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two real BERT encoders shipped as ONNX files at the root of the langchain4j embedding jars
 * (test dependencies of {@code it}): their resource names, their hyper-parameters (from the HF
 * model cards' {@code config.json}) and a trivial tokenizer over their {@code tokenizer.json}
 * vocabulary, enough to make realistic token ids without the tokenizers module.
 */
enum BertModelFiles {
  /** sentence-transformers/all-MiniLM-L6-v2: 6 layers, 384 wide, 12 heads, FFN 1536. */
  MINILM("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", "all-minilm-l6-v2", 6),
  /** BAAI/bge-small-en-v1.5: 12 layers, 384 wide, 12 heads, FFN 1536. */
  BGE_SMALL("bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json", "bge-small-en-v1.5", 12);

  final String onnxResource;
  final String tokenizerResource;

  /**
   * The HF {@code config.json}, transcribed into {@code it}'s test resources as {@code
   * parity/NAME.config.json}.
   */
  final String configResource;

  final int layers;
  static final int HIDDEN = 384;
  static final int HEADS = 12;
  static final int INTERMEDIATE = 1536;
  static final float LAYER_NORM_EPS = 1e-12f;

  private Path extracted;
  private Map<String, Integer> vocab;

  BertModelFiles(String onnxResource, String tokenizerResource, String name, int layers) {
    this.onnxResource = onnxResource;
    this.tokenizerResource = tokenizerResource;
    this.configResource = "parity/" + name + ".config.json";
    this.layers = layers;
  }

  /**
   * The ONNX file copied out of its jar once per JVM (ONNX Runtime wants a path or bytes, and a
   * mapped file keeps the 90-130 MB off the heap for our reader).
   */
  synchronized Path onnxFile() {
    if (extracted == null) {
      try (InputStream in = open(onnxResource)) {
        Path tmp = Files.createTempFile("t4j-" + name().toLowerCase(Locale.ROOT), ".onnx");
        tmp.toFile().deleteOnExit();
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        extracted = tmp;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return extracted;
  }

  private static Path quantizedMiniLm;

  /**
   * all-MiniLM-L6-v2 as its publishers quantized it to int8 for ONNX Runtime (dynamic int8
   * activations, integer products), copied out of its jar once per JVM: ORT's int8 peer in the
   * benchmark. Not a constant of this enum: its initializers are int8, so the fp32 parity tests
   * that run over every constant cannot load it.
   */
  static synchronized Path quantizedMiniLmOnnxFile() {
    if (quantizedMiniLm == null) {
      try (InputStream in = open("all-minilm-l6-v2-q.onnx")) {
        Path tmp = Files.createTempFile("t4j-minilm-q", ".onnx");
        tmp.toFile().deleteOnExit();
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        quantizedMiniLm = tmp;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return quantizedMiniLm;
  }

  /**
   * Token ids of {@code text}: [CLS], then each lower-cased word or punctuation mark looked up in
   * the WordPiece vocabulary (an unknown one becomes [UNK]; no sub-word splitting), then [SEP].
   */
  synchronized int[] encode(String text) {
    if (vocab == null) {
      vocab = readVocab();
    }
    List<Integer> ids = new ArrayList<>();
    ids.add(vocab.get("[CLS]"));
    for (String w : text.toLowerCase(Locale.ROOT).split("\\s+|(?=\\p{Punct})|(?<=\\p{Punct})")) {
      if (!w.isBlank()) {
        ids.add(vocab.getOrDefault(w, vocab.get("[UNK]")));
      }
    }
    ids.add(vocab.get("[SEP]"));
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The model's configuration, read from its HF {@code config.json} by the models module. */
  BertConfig config() {
    try (InputStream in = open(configResource)) {
      return BertConfig.fromMap(
          HfConfig.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Map<String, Integer> readVocab() {
    try (InputStream in = open(tokenizerResource)) {
      JsonObject root =
          JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
              .getAsJsonObject();
      JsonObject v = root.getAsJsonObject("model").getAsJsonObject("vocab");
      Map<String, Integer> m = new HashMap<>();
      v.entrySet().forEach(e -> m.put(e.getKey(), e.getValue().getAsInt()));
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String resource) {
    InputStream in = BertModelFiles.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException(
          "class-path resource "
              + resource
              + " not found: it comes from the langchain4j"
              + " embedding jars, test dependencies of the it module");
    }
    return in;
  }
}
