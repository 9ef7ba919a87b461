package io.github.transformers4j.it.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.it.parity.MiniLmFolder;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.bert.SentenceEmbedder;
import io.github.transformers4j.models.embedding.EmbeddingOptions;
import io.github.transformers4j.models.embedding.TextEmbedding;
import io.github.transformers4j.models.embedding.TextEmbeddings;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text-embedding plugin point with every module installed: BERT-family folders and CLIP
 * folders load through {@link TextEmbeddings} by their {@code model_type}, CLIP's text embeddings
 * equal Hugging Face's {@code text_embeds}, and token counts are what the model sees (no padding).
 */
class TextEmbeddingsTest {
  static ComputeBackend backend;
  static Ops ops;

  @BeforeAll
  static void open() {
    backend = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  @Test
  void bothFamiliesAreInstalledByModelType() {
    assertTrue(TextEmbeddings.installed().names().containsAll(Set.of("bert-sentence", "clip-text")),
        TextEmbeddings.installed().names()::toString);
    assertEquals("clip-text", TextEmbeddings.forModelType("clip").orElseThrow().name());
    assertEquals("bert-sentence", TextEmbeddings.forModelType("roberta").orElseThrow().name());
    assertTrue(TextEmbeddings.forModelType("gpt2").isEmpty());
    assertTrue(TextEmbeddings.modelTypes().containsAll(Set.of("bert", "roberta", "electra", "clip")));
  }

  @Test
  void clipTextEmbeddingsEqualHuggingFacesTextEmbeds() throws Exception {
    Path dir = SharedData.require("models/hf-tiny/clip");
    JsonObject c = JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json")))
        .getAsJsonObject().getAsJsonArray("cases").get(0).getAsJsonObject();
    List<String> texts = c.getAsJsonArray("texts").asList().stream().map(x -> x.getAsString()).toList();
    TextEmbedding e = TextEmbeddings.forModelType("clip").orElseThrow().load(ops, dir, EmbeddingOptions.DEFAULTS);
    assertEquals("clip", e.modelType());
    assertEquals(16, e.dimensions(), "projection_dim");
    assertEquals(77, e.maxTokens(), "the text tower's positions");
    float[][] got = e.embed(texts);
    JsonArray want = c.getAsJsonArray("text_embeds");
    double worst = 0;
    for (int i = 0; i < texts.size(); i++) {
      JsonArray row = want.get(i).getAsJsonArray();
      assertEquals(row.size(), got[i].length);
      for (int j = 0; j < row.size(); j++) {
        worst = Math.max(worst, Math.abs(got[i][j] - row.get(j).getAsDouble()));
      }
      // HF's attention mask counts the start marker, the text and the end marker.
      int tokens = 0;
      for (var m : c.getAsJsonArray("attention_mask").get(i).getAsJsonArray()) {
        tokens += m.getAsInt();
      }
      assertEquals(tokens, e.countTokens(texts.get(i)), "tokens of '" + texts.get(i) + "'");
    }
    System.out.printf("[TextEmbeddingsTest] CLIP text embeddings vs HF text_embeds: max |diff| %.2g%n", worst);
    assertTrue(worst <= 1e-5, "max |diff| " + worst);

    String tooLong = "cat ".repeat(100);
    assertEquals(102, e.countTokens(tooLong), "never cut when counting");
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> e.embed(List.of("dog", tooLong)));
    assertTrue(x.getMessage().contains("text 1") && x.getMessage().contains("77"), x.getMessage());

    float[][] raw = TextEmbeddings.forModelType("clip").orElseThrow()
        .load(ops, dir, new EmbeddingOptions(EmbeddingOptions.DEFAULTS.precision(), "mean", false, 2))
        .embed(texts);
    double norm = 0;
    for (float v : raw[0]) {
      norm += v * v;
    }
    assertTrue(Math.abs(Math.sqrt(norm) - 1) > 1e-3, "without normalization the features keep their length");
  }

  @Test
  void langChain4jsEmbeddingModelOverAClipFolderGivesHuggingFacesTextEmbeds() throws Exception {
    Path dir = SharedData.require("models/hf-tiny/clip");
    JsonObject c = JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json")))
        .getAsJsonObject().getAsJsonArray("cases").get(0).getAsJsonObject();
    String text = c.getAsJsonArray("texts").get(1).getAsString();
    JsonArray want = c.getAsJsonArray("text_embeds").get(1).getAsJsonArray();
    try (io.github.transformers4j.langchain4j.T4jEmbeddingModel m =
        io.github.transformers4j.langchain4j.T4jEmbeddingModel.builder().modelFolder(dir).backend(backend).build()) {
      assertEquals(16, m.dimension());
      var r = m.embed(text);
      float[] v = r.content().vector();
      for (int j = 0; j < want.size(); j++) {
        assertEquals(want.get(j).getAsDouble(), v[j], 1e-5, "dim " + j);
      }
      assertEquals(9, r.tokenUsage().inputTokenCount(), "HF's attention mask of '" + text + "'");
    }
  }

  @Test
  void bertFamilyEmbeddingsEqualTheSentenceEmbedderAndCountTokensWithoutPadding(@TempDir Path dir)
      throws Exception {
    MiniLmFolder.write(dir);
    List<String> texts = List.of("hello world", "the quick brown fox jumps over the lazy dog");
    TextEmbedding e = TextEmbeddings.forModelType("bert").orElseThrow().load(ops, dir, EmbeddingOptions.DEFAULTS);
    float[][] want = new SentenceEmbedder(
        ops, Pretrained.load(ops, dir, BertModel.class), Tokenizers.installed().forName("auto").load(dir))
        .embed(texts);
    float[][] got = e.embed(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertArrayEquals(want[i], got[i], 0f, "text " + i);
    }
    assertEquals(384, e.dimensions());
    assertEquals(512, e.maxTokens());
    // all-MiniLM's tokenizer.json pads every text to 128; [CLS] hello world [SEP] is 4 tokens.
    assertEquals(4, e.countTokens("hello world"));
  }
}
