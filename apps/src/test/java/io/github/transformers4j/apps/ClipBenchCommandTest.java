package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j bench clip}'s usage errors, which come before the ViT-B/32 (151 M parameters) is
 * built; the measurement itself runs in {@code bench/clip-vs-torch.sh}, never in a unit test.
 */
class ClipBenchCommandTest {

  @Test
  void refusesTooManyTokensAndAFolderWithTooFewImages(@TempDir Path dir) throws Exception {
    Cli.Run run = Cli.run("bench", "clip", "--backend", "fake", "--tokens", "78");
    assertEquals(2, run.code(), run::toString);
    assertTrue(run.err().contains("--tokens 78 exceeds the model's 77 positions"), run::toString);

    Files.writeString(dir.resolve("notes.txt"), "not an image");
    Files.write(dir.resolve("a.png"), new byte[] {1});
    run = Cli.run("bench", "clip", "--backend", "fake", "--images", dir.toString(), "--batch", "2");
    assertEquals(2, run.code(), run::toString);
    assertTrue(run.err().contains("holds 1 images (png, jpg, bmp, gif), fewer than --batch 2"), run::toString);

    run = Cli.run("bench", "clip", "--backend", "fake", "--images", dir.resolve("missing").toString());
    assertEquals(2, run.code(), run::toString);
    assertTrue(run.err().contains("is not a folder"), run::toString);
  }
}
