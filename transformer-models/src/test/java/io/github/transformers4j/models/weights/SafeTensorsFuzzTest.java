package io.github.transformers4j.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.transformers4j.api.testing.Fuzz;
import io.github.transformers4j.api.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fuzz target of the safetensors reader (issue 12): mutations by {@link Fuzz} of the seeds
 * under {@code testdata/fuzz/safetensors/} (a tiny F32/F16/BF16 file and header lengths near 2^63
 * and past the end). Contract: the tensors are read and each one's values match its shape, or an
 * exception whose message names the file in at most 300 characters; nothing else, nothing slower
 * than 10 s.
 */
class SafeTensorsFuzzTest {

  @Test
  void safetensors() throws IOException {
    Fuzz.run("safetensors", Fuzz.seeds("safetensors"), SPLICES, false, SafeTensorsFuzzTest::check);
  }

  @Test
  void theValidSeedReads() throws IOException {
    try (SafeTensors w = SafeTensors.open(SharedData.require("fuzz/safetensors/tiny.safetensors"))) {
      assertEquals(List.of("w", "h", "b"), List.copyOf(w.names()));
      assertEquals(4f, w.floats("w")[3]);
      assertEquals(-2f, w.floats("h")[1]);
      assertEquals(-3f, w.floats("b")[1]);
    }
  }

  private static void check(byte[] input) {
    try {
      Path dir = Files.createTempDirectory("t4j-fuzz");
      Path file = dir.resolve("model.safetensors");
      Files.write(file, input);
      try {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> read(file));
      } finally {
        Files.delete(file);
        Files.delete(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void read(Path file) {
    try (SafeTensors w = SafeTensors.open(file)) {
      for (String name : w.names()) {
        assertEquals(w.shape(name).size(), w.floats(name).length, name);
      }
    } catch (IOException | IllegalArgumentException e) {
      String m = e.getMessage();
      assertTrue(m != null && m.contains(file.toString()), () -> "names no file: " + m);
      assertTrue(m.length() <= 300, () -> m.length() + " characters: " + m);
      assertFalse(m.contains("Exception:"), () -> "a Java class in: " + m);
    } catch (Throwable t) {
      fail("not an exception naming the file: " + t, t);
    }
  }

  private static final List<byte[]> SPLICES =
      Fuzz.hex(
          "ffffffffffffff7f", "0000000000000080", "ffffffff", "00", "ff", "7b", "7d", "22", "2c",
          "5b5d", "2d31", "3939393939393939393939", "312e35", "4e614e", "6e756c6c",
          "22463634223a", "2246333222", "2242463136220a", "22493332225d");
}
