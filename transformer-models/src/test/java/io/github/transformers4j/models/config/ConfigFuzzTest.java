package io.github.transformers4j.models.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.testing.Fuzz;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The Jazzer fuzz target of {@code config.json} (issue 12), every family: the first byte of an
 * input picks a Hugging Face fixture of {@code testdata/models/hf-tiny/} (modulo {@link #FIXTURES}'s
 * size), the rest is the {@code config.json} loaded with that fixture's real checkpoint. So a
 * mutation reaches each family's config reader and, with a changed first byte, the check that a
 * checkpoint fits its config. Seeds (one per fixture: its byte, then its config) are the files of
 * {@code ConfigFuzzTestInputs/config/} in the test resources.
 *
 * <p>Contract ({@link Fuzz}): a model, or an exception whose message names the folder's config or
 * checkpoint in at most 300 characters beyond the path; nothing else, nothing slower than 10 s (a
 * size field would otherwise build for minutes, or run out of memory).
 */
class ConfigFuzzTest {
  /** The fixtures an input's first byte picks from; the order is the seeds' first bytes. */
  static final List<String> FIXTURES =
      List.of(
          "gpt2", "opt", "opt-postln", "electra", "electra-generator", "electra-tokcls", "roberta",
          "roberta-seqcls", "bart", "marian", "pegasus", "t5", "mt5", "clip");

  private static final Ops OPS = new Ops(TestSupport.reference());
  private static Path root;

  @FuzzTest(maxDuration = "20s")
  void config(byte[] input) {
    if (input.length == 0) {
      return;
    }
    Path dir = folder(FIXTURES.get(Byte.toUnsignedInt(input[0]) % FIXTURES.size()));
    Fuzz.write(dir, "config.json", Arrays.copyOfRange(input, 1, input.length));
    Fuzz.within(
        () -> {
          try {
            Pretrained.load(OPS, dir, PretrainedModel.class);
          } catch (IOException | IllegalArgumentException e) {
            Fuzz.requireRefusal(e, dir.toString());
          }
        });
  }

  /** A folder holding fixture {@code name}'s checkpoint, made once per JVM. */
  private static synchronized Path folder(String name) {
    try {
      if (root == null) {
        root = Files.createTempDirectory("t4j-fuzz-config");
      }
      Path dir = root.resolve(name);
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        Files.copy(
            TestSupport.shared("models/hf-tiny/" + name).resolve("model.safetensors"),
            dir.resolve("model.safetensors"));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
