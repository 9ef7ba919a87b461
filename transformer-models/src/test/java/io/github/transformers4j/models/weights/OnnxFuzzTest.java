package io.github.transformers4j.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.transformers4j.api.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The fuzz target of the ONNX reader (issue 12): mutations of the seed corpus under {@code
 * testdata/fuzz/onnx/} (a small model with every initializer form the reader decodes, and the
 * length-near-2^63 inputs that hung the SentencePiece reader). Contract: the weights are read and
 * each tensor's values match its shape, or an IllegalArgumentException starting {@code "onnx
 * <file>: "} of at most 300 characters; nothing else, nothing slower than 10 s. jqwik prints the
 * seed with a failure; a finding becomes a file of the corpus.
 */
class OnnxFuzzTest {

  @Property
  void onnx(@ForAll("inputs") byte[] input) {
    check(input);
  }

  /** Each seed as it is. */
  @Property(tries = 1)
  void everySeed() throws IOException {
    for (byte[] seed : seeds()) {
      check(seed);
    }
  }

  /** The valid seed reads, so mutations start from a model that reaches every decoder. */
  @Property(tries = 1)
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

  @Provide
  Arbitrary<byte[]> inputs() throws IOException {
    return Combinators.combine(
            Arbitraries.of(seeds()), Arbitraries.integers().between(1, 4), Arbitraries.randoms())
        .as(OnnxFuzzTest::mutate);
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

  private static List<byte[]> seeds() throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(SharedData.require("fuzz/onnx"))) {
      for (Path f : files.sorted().toList()) {
        out.add(Files.readAllBytes(f));
      }
    }
    return out;
  }

  private static final List<byte[]> SPLICES =
      Stream.of(
              "f6ffffffffffffffff7f", "ffffffff0f", "ffffffff07", "8080808010", "00", "ff", "0800",
              "0aff01", "1001", "1007", "100a", "100b", "100d", "4a04", "2200", "3a00", "7001")
          .map(HexFormat.of()::parseHex)
          .toList();

  private static byte[] mutate(byte[] seed, int n, Random r) {
    byte[] b = seed.clone();
    for (int k = 0; k < n; k++) {
      int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
      byte[] pick = SPLICES.get(r.nextInt(SPLICES.size()));
      switch (r.nextInt(6)) {
        case 0 -> {
          if (b.length > 0) {
            b[Math.min(at, b.length - 1)] = (byte) r.nextInt(256);
          }
        }
        case 1 -> b = splice(b, at, 0, pick);
        case 2 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(8)), new byte[0]);
        case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(12)), pick);
        case 4 -> b = Arrays.copyOf(b, at);
        default -> {
          int len = Math.min(b.length - at, 1 + r.nextInt(32));
          b = splice(b, at, 0, Arrays.copyOfRange(b, at, at + len));
        }
      }
    }
    return b;
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }
}
