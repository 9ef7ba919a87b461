package io.github.transformers4j.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.transformers4j.api.testing.Fuzz;
import io.github.transformers4j.api.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fuzz target of the ONNX reader (issue 12): mutations of the seed corpus under {@code
 * testdata/fuzz/onnx/} (a small model with every initializer form the reader decodes, and the
 * length-near-2^63 inputs that hung the SentencePiece reader). Contract: the weights are read and
 * each tensor's values match its shape, or an IllegalArgumentException starting {@code "onnx
 * <file>: "} of at most 300 characters; nothing else, nothing slower than 10 s. Mutations by {@link
 * Fuzz}; a failure names the fuzz seed, the try and the input, and a finding becomes a file of the
 * corpus.
 */
class OnnxFuzzTest {

  @Test
  void onnx() throws IOException {
    Fuzz.run("onnx", Fuzz.seeds("onnx"), SPLICES, false, OnnxFuzzTest::check);
  }

  /** The valid seed reads, so mutations start from a model that reaches every decoder. */
  @Test
  void theValidSeedReads() throws IOException {
    byte[] tiny = Files.readAllBytes(SharedData.require("fuzz/onnx/tiny.onnx"));
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

  private static void check(byte[] input) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          try (OnnxWeights w = OnnxWeights.read(input, "fuzz.onnx")) {
            for (String name : w.names()) {
              assertEquals(w.shape(name).size(), w.floats(name).length, name);
            }
          } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            assertTrue(m.startsWith("onnx fuzz.onnx: "), m);
            assertTrue(m.length() <= 300, () -> m.length() + " characters: " + m);
          } catch (Throwable t) {
            fail("input " + HexFormat.of().formatHex(input) + ": " + t, t);
          }
        });
  }

  private static final List<byte[]> SPLICES =
      Fuzz.hex(
          "f6ffffffffffffffff7f", "ffffffff0f", "ffffffff07", "8080808010", "00", "ff", "0800",
          "0aff01", "1001", "1007", "100a", "100b", "100d", "4a04", "2200", "3a00", "7001");
}
