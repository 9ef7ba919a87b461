package io.github.transformers4j.it.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.it.parity.MiniLmFolder;
import io.github.transformers4j.langchain4j.T4jEmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link T4jEmbeddingModel} computes what {@code t4j embed} prints: all-MiniLM-L6-v2 (the real
 * model, as a Hugging Face folder made from the langchain4j jar's ONNX file) on texts of different
 * lengths, in one call of {@code embedAll} with batches of 2 and of 16, against the command's JSON
 * vectors, within 1e-6 per component.
 */
class EmbeddingModelParityTest {
  private static final List<String> TEXTS =
      List.of(
          "The quick brown fox jumps over the lazy dog.",
          "Embeddings in Java, without Python.",
          "Mr President, the right to food is a basic and fundamental human right, and the text"
              + " before us rightly emphasises the need for a multidimensional approach.",
          "Tokenization splits rare words into pieces.",
          "Short.");
  private static final double TOLERANCE = 1e-6;

  @TempDir static Path tmp;
  private static Path folder;
  private static float[][] cli;

  @BeforeAll
  static void embedWithTheCommandLine() throws Exception {
    folder = MiniLmFolder.write(tmp);
    List<String> args =
        new ArrayList<>(
            List.of("--backend", "cpu", "--threads", "1", "embed", "--model", folder.toString()));
    args.addAll(TEXTS);
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertEquals(0, run.code, run::toString);
    List<String> lines = run.out.lines().toList();
    assertEquals(TEXTS.size(), lines.size(), run::toString);
    cli = new float[lines.size()][];
    for (int i = 0; i < lines.size(); i++) {
      JsonArray a = JsonParser.parseString(lines.get(i)).getAsJsonArray();
      cli[i] = new float[a.size()];
      for (int j = 0; j < a.size(); j++) {
        cli[i][j] = a.get(j).getAsFloat();
      }
    }
  }

  @Test
  void embedAllEqualsTheCommandsVectorsWithAnyBatchSize() throws Exception {
    List<TextSegment> segments = TEXTS.stream().map(TextSegment::from).toList();
    TextTokenizer tok = Tokenizers.installed().forName("auto").load(folder);
    // This tokenizer.json pads every text to 128; the encoder sees the real tokens only.
    int pad = tok.tokenId("[PAD]");
    int tokens =
        TEXTS.stream()
            .mapToInt(t -> (int) java.util.Arrays.stream(tok.encodeIds(t)).filter(id -> id != pad).count())
            .sum();
    for (int batch : new int[] {2, 16}) {
      try (T4jEmbeddingModel model =
          T4jEmbeddingModel.builder()
              .modelFolder(folder)
              .backend("cpu")
              .threads(1)
              .batchSize(batch)
              .build()) {
        assertEquals(384, model.dimension());
        assertEquals(folder.getFileName().toString(), model.modelName());
        Response<List<Embedding>> r = model.embedAll(segments);
        assertEquals(TEXTS.size(), r.content().size());
        assertEquals(tokens, r.tokenUsage().inputTokenCount(), "input tokens the encoder saw");
        double worst = 0;
        for (int i = 0; i < TEXTS.size(); i++) {
          float[] v = r.content().get(i).vector();
          assertEquals(cli[i].length, v.length);
          for (int j = 0; j < v.length; j++) {
            worst = Math.max(worst, Math.abs(v[j] - cli[i][j]));
          }
        }
        System.out.printf(
            "[EmbeddingModelParityTest] all-MiniLM-L6-v2, %d texts, batch %d: max |diff| to t4j"
                + " embed %.2g (tolerance %.0g)%n",
            TEXTS.size(), batch, worst, TOLERANCE);
        assertTrue(worst <= TOLERANCE, "max |diff| " + worst);
        // One text alone goes through the same path.
        float[] one = model.embed(TEXTS.get(1)).content().vector();
        for (int j = 0; j < one.length; j++) {
          assertEquals(cli[1][j], one[j], TOLERANCE);
        }
      }
    }
  }

  @Test
  void aFolderOfAnotherFamilyIsRefusedNamingIt() throws Exception {
    Path gpt2 = DecoderFolder.write(tmp.resolve("gpt2"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> T4jEmbeddingModel.builder().modelFolder(gpt2).backend("cpu").build());
    assertTrue(
        e.getMessage().contains(gpt2.toString()) && e.getMessage().contains("model_type 'gpt2'")
            && e.getMessage().contains("not an embedding family"),
        e.getMessage());
    Path missing = tmp.resolve("no-such-model");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> T4jEmbeddingModel.builder().modelFolder(missing).build());
    assertEquals(
        missing + " does not exist: expected a BERT-family folder (config.json,"
            + " model.safetensors, tokenizer.json or vocab.txt)",
        e.getMessage());
  }
}
