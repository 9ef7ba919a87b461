package io.github.transformers4j.it.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.it.parity.OnnxWeightsBertParityTest.Batch;
import io.github.transformers4j.models.bert.BertConfig;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.weights.OnnxWeights;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The parity check: our {@link BertModel}, configured from the HF {@code config.json} and
 * loaded from the real ONNX initializers through {@link OnnxWeights}, against ONNX Runtime on the
 * same inputs, on the {@code cpu} backend. Inputs: one unpadded sentence, and a batch of three of
 * different lengths right-padded with [PAD] (attention mask 0). <b>All positions are compared</b>,
 * the padded ones included, as ONNX Runtime (and HF) compute them: a padded query still attends to
 * the real keys, so its output is defined and must match too. Tolerance: max |diff| ≤ 1e-4.
 */
class BertOnnxRuntimeParityTest {
  static final float TOLERANCE = 1e-4f;

  @ParameterizedTest
  @EnumSource(BertModelFiles.class)
  void lastHiddenStateMatchesOnnxRuntime(BertModelFiles files) throws Exception {
    Path onnx = files.onnxFile();
    BertConfig config = files.config();
    assertEquals(files.layers, config.numHiddenLayers());
    try (OnnxWeights weights = OnnxWeights.open(onnx);
        ComputeBackend backend =
            Backends.installed().create("cpu", BackendOptions.none().with("threads", "2"));
        OrtBert ort = new OrtBert(onnx, 2)) {
      BertModel model = new BertModel(new Ops(backend), config, false);
      model.load(weights);
      Batch single = Batch.of(files, "The quick brown fox jumps over the lazy dog.");
      Batch padded = Batch.of(files, OnnxWeightsBertParityTest.SENTENCES);
      assertTrue(padded.mask().length > java.util.Arrays.stream(padded.mask()).sum(), "padded");
      for (Batch b : new Batch[] {single, padded}) {
        float[] want = ort.lastHiddenState(b.longIds(), b.longMask(), b.longTypes());
        float[] got = model.hidden(b.ids(), b.types(), b.mask(), b.b()).toFloatArray();
        float diff = OnnxWeightsBertParityTest.maxAbsDiff(want, got);
        float[] split = diffByMask(want, got, b.mask(), config.hiddenSize());
        System.out.printf(
            "%s: BertModel vs ONNX Runtime, (B, T) = (%d, %d)%s: max |diff| %.3g"
                + " over all positions (%.3g at tokens, %.3g at padding)%n",
            files, b.b(), b.t(), b.b() > 1 ? " padded" : "", diff, split[0], split[1]);
        assertTrue(
            diff <= TOLERANCE,
            files + " (B, T) = (" + b.b() + ", " + b.t() + "): max |diff| " + diff);
      }
    }
  }

  /**
   * ONNX → safetensors (F32) → BertModel gives bit-identical hidden states to loading the ONNX file
   * directly: the writer, the reader and the HF naming agree on every tensor.
   */
  @Test
  void onnxConvertedToSafetensorsLoadsIdentically(@TempDir Path dir) throws Exception {
    BertModelFiles files = BertModelFiles.MINILM;
    Path st = dir.resolve("model.safetensors");
    Batch batch = Batch.of(files, OnnxWeightsBertParityTest.SENTENCES);
    try (OnnxWeights onnx = OnnxWeights.open(files.onnxFile());
        ComputeBackend backend =
            Backends.installed().create("cpu", BackendOptions.none().with("threads", "2"))) {
      Map<String, TensorData> all = new LinkedHashMap<>();
      for (String name : onnx.names()) {
        all.put(name, new TensorData(onnx.shape(name), onnx.floats(name)));
      }
      SafeTensors.write(st, all, Map.of("format", "pt"), DType.F32);
      Ops ops = new Ops(backend);
      BertModel fromOnnx = new BertModel(ops, files.config(), false);
      fromOnnx.load(onnx);
      BertModel fromSafetensors = new BertModel(ops, files.config(), false);
      try (SafeTensors weights = SafeTensors.open(st)) {
        assertEquals(onnx.names(), weights.names());
        fromSafetensors.load(weights);
      }
      assertArrayEquals(
          fromOnnx.hidden(batch.ids(), batch.types(), batch.mask(), batch.b()).toFloatArray(),
          fromSafetensors
              .hidden(batch.ids(), batch.types(), batch.mask(), batch.b())
              .toFloatArray());
    }
  }

  /** Max |diff| at real tokens and at padded positions, for the report. */
  static float[] diffByMask(float[] want, float[] got, int[] mask, int c) {
    float[] m = new float[2];
    for (int i = 0; i < want.length; i++) {
      int k = mask[i / c] == 1 ? 0 : 1;
      m[k] = Math.max(m[k], Math.abs(want[i] - got[i]));
    }
    return m;
  }
}
