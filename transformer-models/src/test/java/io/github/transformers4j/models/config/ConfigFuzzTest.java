package io.github.transformers4j.models.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.testing.Fuzz;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzz target of {@code config.json} (issue 12): mutations by {@link Fuzz} of the tiny GPT-2
 * fixture's config, loaded with its real checkpoint. Contract: a model, or an exception whose
 * message names the folder's config or checkpoint in at most 300 characters beyond the path;
 * nothing else, nothing slower than 10 s (a size field would otherwise build for minutes).
 */
class ConfigFuzzTest {
  @TempDir static Path dir;

  @Test
  void gpt2Config() throws IOException {
    Path src = TestSupport.shared("models/hf-tiny/gpt2");
    Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    byte[] seed = Files.readAllBytes(src.resolve("config.json"));
    Ops ops = new Ops(TestSupport.reference());
    Fuzz.run("config-gpt2", List.of(seed), SPLICES, true, b -> check(ops, b));
  }

  private static void check(Ops ops, byte[] input) {
    try {
      Files.write(dir.resolve("config.json"), input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          try {
            Pretrained.load(ops, dir, PretrainedModel.class);
          } catch (IOException | IllegalArgumentException e) {
            String m = e.getMessage();
            assertTrue(m != null && m.contains(dir.toString()), () -> "names no file: " + m);
            assertTrue(m.length() <= 300 + dir.toString().length(), () -> m.length() + ": " + m);
            assertFalse(m.contains("Exception:"), () -> "a Java class in: " + m);
          } catch (Throwable t) {
            fail("not an exception naming the file: " + t, t);
          }
        });
  }

  private static final List<byte[]> SPLICES =
      Fuzz.text(
          "2147483647", "1000000", "1000", "65536", "0", "-1", "1.5", "1e400", "\"4\"", "null", "[]",
          "{}", "\"gpt2\"", "\"bert\"", "\"t5\"", "true", ",", "{", "\"", "NaN");
}
