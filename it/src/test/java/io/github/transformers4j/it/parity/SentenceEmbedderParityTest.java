package io.github.transformers4j.it.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.bert.SentenceEmbedder;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.weights.OnnxWeights;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sentence embeddings ({@code SentenceEmbedder}, what {@code t4j embed} runs) on all-MiniLM-L6-v2
 * as a Hugging Face folder (its config, its tokenizer.json and its ONNX initializers rewritten as
 * model.safetensors, loaded by {@code Pretrained}), against ONNX Runtime given Hugging Face
 * tokenizers' ids and attention mask, mean-pooled over that mask and normalized as
 * sentence-transformers does; three texts of different lengths in one padded batch.
 */
class SentenceEmbedderParityTest {
  private static final List<String> TEXTS =
      List.of(
          "The quick brown fox jumps over the lazy dog.",
          "Embeddings in Java, without Python.",
          "A somewhat longer sentence, so that the other two are padded in the batch it shares"
              + " with them; tokenizers split words like 'tokenization' into pieces.");

  @Test
  void embeddingsMatchOnnxRuntimeMeanPooled(@TempDir Path dir) throws Exception {
    BertModelFiles m = BertModelFiles.MINILM;
    copy("parity/all-minilm-l6-v2.config.json", dir.resolve("config.json"));
    copy(m.tokenizerResource, dir.resolve("tokenizer.json"));
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    try (OnnxWeights w = OnnxWeights.open(m.onnxFile())) {
      for (String name : w.names()) {
        tensors.put(name, new TensorData(w.shape(name), w.floats(name)));
      }
    }
    SafeTensors.write(dir.resolve("model.safetensors"), tensors, DType.F32);

    TextTokenizer tok = Tokenizers.installed().forName("auto").load(dir);
    float[][] got;
    try (ComputeBackend backend =
        Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"))) {
      Ops ops = new Ops(backend);
      BertModel bert = Pretrained.load(ops, dir, BertModel.class);
      got = new SentenceEmbedder(ops, bert, tok).embed(TEXTS);
      // This export has no pooler: the model says so rather than pool with untrained weights.
      IllegalStateException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalStateException.class,
              () -> bert.pooled(bert.hidden(new int[] {101, 102}, null, new int[] {1, 1}, 1)));
      assertTrue(e.getMessage().contains("no pooler weights"), e.getMessage());
    }
    assertEquals(TEXTS.size(), got.length);
    double worst = 0;
    // The reference is sentence-transformers' computation: Hugging Face tokenizers' ids and
    // attention mask (this tokenizer.json pads every text to 128), the model run with that mask,
    // the mean over the positions the mask keeps.
    try (OrtBert ort = new OrtBert(m.onnxFile(), 1);
        HuggingFaceTokenizer hf =
            HuggingFaceTokenizer.newInstance(
                dir.resolve("tokenizer.json"), Map.of("padding", "max_length", "maxLength", "128"))) {
      for (int i = 0; i < TEXTS.size(); i++) {
        ai.djl.huggingface.tokenizers.Encoding enc = hf.encode(TEXTS.get(i));
        long[] ids = enc.getIds();
        long[] mask = enc.getAttentionMask();
        assertEquals(tok.tokenId("[CLS]"), ids[0], "the tokenizer adds [CLS]");
        assertEquals(128, ids.length, "this tokenizer.json pads to 128");
        float[] h = ort.lastHiddenState(new long[][] {ids}, new long[][] {mask}, new long[][] {new long[ids.length]});
        int c = h.length / ids.length;
        long real = Arrays.stream(mask).sum();
        double[] want = new double[c];
        for (int t = 0; t < ids.length; t++) {
          for (int j = 0; j < c; j++) {
            want[j] += mask[t] * h[t * c + j] / (double) real;
          }
        }
        double norm = Math.sqrt(Arrays.stream(want).map(x -> x * x).sum());
        assertEquals(c, got[i].length);
        double gotNorm = 0;
        for (int j = 0; j < c; j++) {
          double g = got[i][j];
          gotNorm += g * g;
          worst = Math.max(worst, Math.abs(g - want[j] / norm));
        }
        assertEquals(1.0, gotNorm, 1e-5, "normalized");
      }
    }
    System.out.printf(
        "[SentenceEmbedderParityTest] embeddings vs ONNX Runtime, all-MiniLM-L6-v2, 3 texts in one"
            + " padded batch: max |diff| %.2g%n", worst);
    assertTrue(worst <= 1e-5, "max |diff| " + worst);
  }

  private static void copy(String resource, Path to) throws Exception {
    try (InputStream in = SentenceEmbedderParityTest.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("class-path resource " + resource + " not found");
      }
      Files.copy(in, to);
    }
  }
}
