package io.github.transformers4j.models.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.transformers4j.api.testing.Fuzz;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Jazzer fuzz target of the safetensors reader (issue 12). Seeds (and findings) are the files
 * of {@code SafeTensorsFuzzTestInputs/safetensors/} in the test resources: a tiny F32/F16/BF16 file
 * and header lengths near 2^63 and past the end. Contract ({@link Fuzz}): the tensors are read and
 * each one's values match its shape, or an exception whose message names the file in at most 300
 * characters; nothing else, nothing slower than 10 s.
 */
class SafeTensorsFuzzTest {

  @FuzzTest(maxDuration = "20s")
  void safetensors(byte[] input) {
    Path dir = Fuzz.folder();
    try {
      Path file = Fuzz.write(dir, "model.safetensors", input);
      Fuzz.within(() -> read(file));
    } finally {
      Fuzz.delete(dir);
    }
  }

  /**
   * A sharded checkpoint's {@code model.safetensors.index.json}: the input is the index, next to
   * two valid shards ({@code a.safetensors} holding {@code w} and {@code h}, {@code b.safetensors}
   * holding {@code b}). Seeds: {@code SafeTensorsFuzzTestInputs/shardedIndex/}.
   */
  @FuzzTest(maxDuration = "20s")
  void shardedIndex(byte[] input) throws IOException {
    Path dir = Fuzz.folder();
    try {
      Fuzz.write(dir, "a.safetensors", shard("a"));
      Fuzz.write(dir, "b.safetensors", shard("b"));
      Path index = Fuzz.write(dir, "model.safetensors.index.json", input);
      Fuzz.within(
          () -> {
            try (ShardedSafeTensors w = ShardedSafeTensors.open(index)) {
              for (String name : w.names()) {
                assertEquals(w.shape(name).size(), w.floats(name).length, name);
              }
            } catch (IOException | IllegalArgumentException e) {
              Fuzz.requireRefusal(e, dir.toString());
            }
          });
    } finally {
      Fuzz.delete(dir);
    }
  }

  private static byte[] shard(String name) throws IOException {
    try (InputStream in =
        SafeTensorsFuzzTest.class.getResourceAsStream("shards/" + name + ".safetensors")) {
      return in.readAllBytes();
    }
  }

  @Test
  void theValidSeedReads() throws IOException {
    byte[] tiny;
    try (InputStream in = getClass().getResourceAsStream("SafeTensorsFuzzTestInputs/safetensors/tiny.safetensors")) {
      tiny = in.readAllBytes();
    }
    Path dir = Fuzz.folder();
    try (SafeTensors w = SafeTensors.open(Fuzz.write(dir, "tiny.safetensors", tiny))) {
      assertEquals(List.of("w", "h", "b"), List.copyOf(w.names()));
      assertEquals(4f, w.floats("w")[3]);
      assertEquals(-2f, w.floats("h")[1]);
      assertEquals(-3f, w.floats("b")[1]);
    } finally {
      Fuzz.delete(dir);
    }
  }

  static void read(Path file) {
    try (SafeTensors w = SafeTensors.open(file)) {
      for (String name : w.names()) {
        assertEquals(w.shape(name).size(), w.floats(name).length, name);
      }
    } catch (IOException | IllegalArgumentException e) {
      Fuzz.requireRefusal(e, file.toString());
    }
  }
}
