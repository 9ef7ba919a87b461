package io.github.transformers4j.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.transformers4j.api.testing.Fuzz;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Jazzer fuzz target of the ONNX reader (issue 12). Seeds (and findings) are the files of
 * {@code OnnxFuzzTestInputs/onnx/} in the test resources (a small model with every initializer form the reader decodes, and the
 * length-near-2^63 inputs that hung the SentencePiece reader). Contract: the weights are read and
 * each tensor's values match its shape, or an IllegalArgumentException starting {@code "onnx
 * <file>: "} of at most 300 characters ({@link Fuzz}); nothing else, nothing slower than 10 s.
 */
class OnnxFuzzTest {

  @FuzzTest(maxDuration = "20s")
  void onnx(byte[] input) {
    Fuzz.within(
        () -> {
          try (OnnxWeights w = OnnxWeights.read(input, "fuzz.onnx")) {
            for (String name : w.names()) {
              assertEquals(w.shape(name).size(), w.floats(name).length, name);
            }
          } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith("onnx fuzz.onnx: "), e.getMessage());
            Fuzz.requireRefusal(e, "fuzz.onnx");
          }
        });
  }

  /** The valid seed reads, so mutations start from a model that reaches every decoder. */
  @Test
  void theValidSeedReads() throws IOException {
    byte[] tiny;
    try (InputStream in = getClass().getResourceAsStream("OnnxFuzzTestInputs/onnx/tiny.onnx")) {
      tiny = in.readAllBytes();
    }
    try (OnnxWeights w = OnnxWeights.read(tiny, "tiny.onnx")) {
      assertEquals(
          List.of("enc.layer.0.q.weight", "enc.layer.0.q.bias", "position_ids", "half"),
          List.copyOf(w.names()));
      // Stored [in 2, out 3] = [[1 2 3] [4 5 6]]; exposed (out, in) = its transpose.
      assertEquals(List.of(1f, 4f, 2f, 5f, 3f, 6f), boxed(w.floats("enc.layer.0.q.weight")));
      assertEquals(List.of(1f, -2f), boxed(w.floats("half")));
    }
  }

  private static List<Float> boxed(float[] v) {
    List<Float> out = new ArrayList<>();
    for (float x : v) {
      out.add(x);
    }
    return out;
  }
}
