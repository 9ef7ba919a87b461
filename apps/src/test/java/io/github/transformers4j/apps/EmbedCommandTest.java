package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.models.bert.BertConfig;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code t4j embed} on a small random BERT saved as a Hugging Face folder. */
class EmbedCommandTest {
  private static final String[] WORDS = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "quick", "brown", "fox", "dog", "lazy", ","
  };

  // config.json, model.safetensors (with the pooler) and vocab.txt of a 2-layer BERT of width 32
  // (t4j serve's tests serve it too).
  static void writeModel(Path dir) throws Exception {
    BertConfig c = BertConfig.of(WORDS.length, 32, 2, 4, 64);
    try (ComputeBackend b = Backends.installed().create("cpu", BackendOptions.none())) {
      BertModel bert = new BertModel(new Ops(b), c);
      Map<String, TensorData> tensors = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : bert.parameters().entrySet()) {
        tensors.put(e.getKey(), new TensorData(e.getValue().shape(), e.getValue().toFloatArray()));
      }
      SafeTensors.write(dir.resolve("model.safetensors"), tensors, DType.F32);
    }
    Files.writeString(
        dir.resolve("config.json"),
        "{\"model_type\": \"bert\", \"vocab_size\": " + WORDS.length + ", \"hidden_size\": 32,"
            + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"intermediate_size\": 64,"
            + " \"hidden_act\": \"gelu\", \"max_position_embeddings\": 512, \"type_vocab_size\": 2,"
            + " \"layer_norm_eps\": 1e-12}");
    Files.write(dir.resolve("vocab.txt"), List.of(WORDS));
  }

  private static float[][] vectors(Cli.Run run) {
    return run.out().lines()
        .map(l -> {
          JsonArray a = JsonParser.parseString(l).getAsJsonArray();
          float[] v = new float[a.size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsFloat();
          }
          return v;
        })
        .toArray(float[][]::new);
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  @Test
  void oneNormalizedVectorPerTextAndBatchingChangesNothing(@TempDir Path dir) throws Exception {
    writeModel(dir);
    String[] texts = {"the quick brown fox", "the lazy dog", "fox , dog"};
    Cli.Run batched =
        Cli.runInstalled("--backend", "cpu", "embed", "--model", dir.toString(), "--batch", "3",
            texts[0], texts[1], texts[2]);
    assertEquals(0, batched.code(), batched::toString);
    float[][] b = vectors(batched);
    assertEquals(3, b.length);
    Cli.Run single =
        Cli.runInstalled("--backend", "cpu", "embed", "--model", dir.toString(), "--batch", "1",
            texts[0], texts[1], texts[2]);
    float[][] s = vectors(single);
    for (int i = 0; i < 3; i++) {
      assertEquals(32, b[i].length);
      assertEquals(1.0, norm(b[i]), 1e-5, "text " + i + " is normalized");
      for (int j = 0; j < 32; j++) {
        // Padding in a batch must not change a row's vector.
        assertEquals(s[i][j], b[i][j], 1e-5, "text " + i + " dimension " + j);
      }
    }
    Cli.Run cls =
        Cli.runInstalled("--backend", "cpu", "embed", "--model", dir.toString(), "--pooling", "cls",
            "--no-normalize", texts[0]);
    assertEquals(0, cls.code(), cls::toString);
    float[] v = vectors(cls)[0];
    assertTrue(Math.abs(norm(v) - 1) > 1e-3, "not normalized: norm " + norm(v));
  }

  @Test
  void quantizedVectorsStayCloseToF32(@TempDir Path dir) throws Exception {
    writeModel(dir);
    String text = "the quick brown fox , the lazy dog";
    float[] f32 = vectors(Cli.runInstalled("--backend", "cpu", "embed", "--model", dir.toString(), text))[0];
    for (String p : new String[] {"int8", "bf16"}) {
      Cli.Run run =
          Cli.runInstalled("--backend", "cpu", "--verbose", "embed", "--model", dir.toString(), "--quantize", p, text);
      assertEquals(0, run.code(), run::toString);
      assertTrue(run.err().contains("weights: " + p + ","), run::toString);
      float[] q = vectors(run)[0];
      double dot = 0;
      for (int j = 0; j < q.length; j++) {
        dot += (double) q[j] * f32[j];
      }
      assertTrue(dot >= 0.99, p + ": cosine " + dot + " to f32");
    }
    Cli.Run bad = Cli.runInstalled("--backend", "cpu", "embed", "--model", dir.toString(), "--quantize", "fp8", text);
    assertEquals(2, bad.code(), bad::toString);
    assertTrue(bad.err().contains("unknown weight precision 'fp8'; valid: f32, bf16, int8"), bad::toString);
  }

  @Test
  void aTextBeyondThePositionsIsAnErrorUnlessTruncatedExplicitly(@TempDir Path dir)
      throws Exception {
    writeModel(dir); // 512 positions
    String tooLong = "fox ".repeat(600);
    Cli.Run refused = Cli.runInstalled("--backend", "cpu", "embed", "--model", dir.toString(), tooLong);
    assertEquals(1, refused.code(), refused::toString);
    assertTrue(
        refused.err().contains("text 0 has 602 tokens but the model takes at most 512"),
        refused::toString);
    assertTrue(refused.err().contains("--truncate"), refused::toString);
    Cli.Run cut =
        Cli.runInstalled(
            "--backend", "cpu", "embed", "--model", dir.toString(), "--truncate", tooLong);
    assertEquals(0, cut.code(), cut::toString);
    // [CLS], 510 × fox, [SEP]: the ids of the text cut to 510 words.
    Cli.Run fits =
        Cli.runInstalled("--backend", "cpu", "embed", "--model", dir.toString(), "fox ".repeat(510));
    assertArrayEquals(vectors(fits)[0], vectors(cut)[0]);
  }

  @Test
  void aDecoderFolderIsRefusedByName(@TempDir Path dir) throws Exception {
    Path gpt2 = SharedData.require("models/tiny-random-gpt2");
    Files.copy(gpt2.resolve("config.json"), dir.resolve("config.json"));
    Files.copy(gpt2.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    Files.write(dir.resolve("vocab.txt"), List.of(WORDS));
    Cli.Run run = Cli.runInstalled("--backend", "cpu", "embed", "--model", dir.toString(), "fox");
    assertNotEquals(0, run.code(), run::toString);
    assertTrue(run.err().contains("architecture 'gpt2' builds a Gpt2Model, not a BertModel"),
        run::toString);
  }
}
