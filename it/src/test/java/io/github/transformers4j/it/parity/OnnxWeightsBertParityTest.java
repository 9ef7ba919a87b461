package io.github.transformers4j.it.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.weights.OnnxWeights;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reads the real MiniLM and BGE ONNX files with {@link OnnxWeights} and runs a plain BERT forward
 * over them ({@link OpsBert}) against ONNX Runtime: checks the HF naming and transposition of the
 * initializers, independent of the models module.
 */
class OnnxWeightsBertParityTest {

  static final String[] SENTENCES = {
    "The quick brown fox jumps over the lazy dog.",
    "Transformers read whole sentences at once, and attention decides which words matter.",
    "Hello world!"
  };

  @ParameterizedTest
  @EnumSource(BertModelFiles.class)
  void plainForwardOverOnnxWeightsMatchesOnnxRuntime(BertModelFiles model) throws Exception {
    java.nio.file.Path file = model.onnxFile();
    long t0 = System.nanoTime();
    try (OnnxWeights w = OnnxWeights.open(file)) {
      long loadNanos = System.nanoTime() - t0;
      assertEquals(
          model.layers * 6,
          w.names().stream()
              .filter(n -> n.endsWith(".weight") && w.onnxName(n).startsWith("onnx::MatMul_"))
              .count(),
          "renamed MatMul weights");
      System.out.printf(
          "%s: OnnxWeights.open %.1f ms, %d initializers%n",
          model, loadNanos / 1e6, w.names().size());
      Batch batch = Batch.of(model, SENTENCES);
      try (ComputeBackend backend =
              Backends.installed().create("cpu", BackendOptions.none().with("threads", "2"));
          OrtBert ort = new OrtBert(model.onnxFile(), 2)) {
        OpsBert ours =
            new OpsBert(
                new Ops(backend),
                w,
                model.layers,
                BertModelFiles.HEADS,
                BertModelFiles.LAYER_NORM_EPS);
        float[] want = ort.lastHiddenState(batch.longIds(), batch.longMask(), batch.longTypes());
        Tensor got = ours.forward(batch.ids, batch.mask, batch.types, batch.b, batch.t);
        float diff = maxAbsDiff(want, got.toFloatArray());
        System.out.printf(
            "%s: plain forward vs ONNX Runtime, (B, T) = (%d, %d) padded:"
                + " max |diff| %.3g over all positions%n",
            model, batch.b, batch.t, diff);
        assertTrue(diff <= 1e-4, model + ": max |diff| " + diff);
      }
    }
  }

  static float maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  /** A padded batch: ids, 0/1 mask and token types (B, T), right-padded with [PAD] = 0. */
  record Batch(int b, int t, int[] ids, int[] mask, int[] types) {
    static Batch of(BertModelFiles model, String... sentences) {
      int[][] enc = Arrays.stream(sentences).map(model::encode).toArray(int[][]::new);
      int t = Arrays.stream(enc).mapToInt(e -> e.length).max().orElse(0);
      int b = enc.length;
      int[] ids = new int[b * t];
      int[] mask = new int[b * t];
      int[] types = new int[b * t];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < enc[i].length; j++) {
          ids[i * t + j] = enc[i][j];
          mask[i * t + j] = 1;
        }
      }
      return new Batch(b, t, ids, mask, types);
    }

    long[][] longIds() {
      return rows(ids);
    }

    long[][] longMask() {
      return rows(mask);
    }

    long[][] longTypes() {
      return rows(types);
    }

    private long[][] rows(int[] flat) {
      long[][] r = new long[b][t];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < t; j++) {
          r[i][j] = flat[i * t + j];
        }
      }
      return r;
    }
  }
}
