package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.testing.Fuzz;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.metrics.MetricsLog;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Jazzer fuzz targets of what {@code --resume} reads (issue 12): a checkpoint's {@code
 * trainer_state.json} and optimizer file, and {@code metrics.jsonl}. The checkpoint is one a
 * {@link TinyLm} run of 2 steps writes (made once per JVM); an input replaces one of its files.
 * Seeds and findings are the files of {@code CheckpointFuzzTestInputs/<method>/} in the test
 * resources; the valid ones are that run's own files.
 *
 * <p>Contract ({@link Fuzz}): the checkpoint loads into a fresh model and optimizer (or the log
 * resumes), or an {@link IOException} names the file in at most 300 characters; nothing else,
 * nothing slower than 10 s.
 */
class CheckpointFuzzTest {
  private static final int V = 12;
  private static final Ops OPS = TestOps.reference();
  private static Path trained;

  @FuzzTest(maxDuration = "20s")
  void trainerState(byte[] input) {
    load("trainer_state.json", input);
  }

  @FuzzTest(maxDuration = "20s")
  void optimizerFile(byte[] input) {
    load("optimizer.safetensors", input);
  }

  /** A log resumed at step 2: rows of later steps are dropped, a partial last line too. */
  @FuzzTest(maxDuration = "20s")
  void metricsJsonl(byte[] input) {
    Path dir = Fuzz.folder();
    try {
      Path file = Fuzz.write(dir, "metrics.jsonl", input);
      Fuzz.within(
          () -> {
            try {
              MetricsLog.resume(file, 2);
            } catch (IOException e) {
              Fuzz.requireRefusal(e, file.toString());
            }
          });
    } finally {
      Fuzz.delete(dir);
    }
  }

  /** The committed valid seeds are what this version writes: they load as they are. */
  @Test
  void theValidSeedsAreThisVersionsCheckpoint() throws IOException {
    Path ck = checkpoint();
    for (String[] f :
        new String[][] {
          {"trainerState/valid.json", "trainer_state.json"},
          {"optimizerFile/valid.safetensors", "optimizer.safetensors"}
        }) {
      try (InputStream in = getClass().getResourceAsStream("CheckpointFuzzTestInputs/" + f[0])) {
        assertEquals(
            new String(Files.readAllBytes(ck.resolve(f[1])), java.nio.charset.StandardCharsets.ISO_8859_1),
            new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1),
            f[0] + " (regenerate it from a 2-step run: see this class)");
      }
    }
    assertEquals(2, Checkpoint.load(ck, model().parameterSet(), optimizer()).step());
  }

  /** Copies the trained checkpoint, replaces {@code name} by {@code input}, loads it. */
  private static void load(String name, byte[] input) {
    Path dir = Fuzz.folder();
    try {
      Path ck = Files.createDirectories(dir.resolve("checkpoint"));
      try (var files = Files.list(checkpoint())) {
        for (Path f : files.toList()) {
          Files.copy(f, ck.resolve(f.getFileName()));
        }
      }
      Fuzz.write(ck, name, input);
      Fuzz.within(
          () -> {
            try {
              Checkpoint.load(ck, model().parameterSet(), optimizer());
            } catch (IOException e) {
              Fuzz.requireRefusal(e, dir.toString());
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Fuzz.delete(dir);
    }
  }

  private static TinyLm model() {
    return new TinyLm(OPS, V, 8, V, 0.2f, 1);
  }

  private static AdamW optimizer() {
    return new AdamW(0.9, 0.99, 1e-8, 0.1, true);
  }

  /** The checkpoint of a 2-step run, trained once per JVM. */
  private static synchronized Path checkpoint() {
    if (trained == null) {
      Path out = Fuzz.folder().resolve("run");
      TrainerConfig cfg =
          new TrainerConfig(2, 2, 1.0, LrSchedule.cosine(0.05, 0.005, 2, 2), 3, 2, 0, out, 11, 0);
      new Trainer(OPS, model(), new CausalLm(false), optimizer(), cfg, null)
          .run(
              new BlockSampler(TrainerTest.corpus(), 3, 6, 21),
              () -> new BlockSampler(TrainerTest.corpus(), 3, 6, 99),
              false);
      trained = out.resolve("checkpoint");
    }
    return trained;
  }
}
